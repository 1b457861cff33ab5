#include <iostream>
#include <memory>

#include "concord/ledger/note.hpp"

#include "commands.hpp"
#include "io.hpp"
#include "keys.hpp"

namespace concord::cli {

void AddNoteCommands(CLI::App& app, Context& ctx) {
    CLI::App* note = app.add_subcommand("note", "C2SP signed notes");
    note->require_subcommand(1);
    CLI::App* verify = note->add_subcommand(
        "verify",
        "verify a signed note against verifier keys; lists the keys whose signatures verified"
    );
    struct Args {
        std::string file;
        std::vector<std::string> keys;
    };
    auto args = std::make_shared<Args>();
    verify->add_option("FILE", args->file, "the note")->required();
    verify->add_option("--key", args->keys, "verifier key (name+id+key) or a file holding one")
        ->required();
    verify->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(std::string text, ReadFile(args->file));
            CONCORD_ASSIGN_OR_RETURN(auto keys, ParseVerifierArgs(args->keys));
            CONCORD_ASSIGN_OR_RETURN(ledger::VerifiedNote verified, ledger::VerifyNote(text, keys));
            ctx.out << "OK: " << verified.verified_by.size() << " of "
                    << verified.note.signatures.size() << " signatures verified\n";
            for (const std::string& name : verified.verified_by) {
                ctx.out << "verified: " << name << "\n";
            }
            return {};
        }());
    });
}

}  // namespace concord::cli
