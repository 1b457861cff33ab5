#include <iostream>
#include <memory>

#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/key_file.hpp"
#include "concord/ledger/note.hpp"

#include "commands.hpp"
#include "io.hpp"
#include "keys.hpp"

namespace concord::cli {

namespace {
constexpr std::string_view kLabelPrefix = "concord-note-signer-v1:";
}  // namespace

Result<ledger::NoteSigner> LoadSigner(
    const std::string& key_file, const std::string& passphrase_file
) {
    CONCORD_ASSIGN_OR_RETURN(std::string pass, ReadPassphrase(passphrase_file));
    CONCORD_ASSIGN_OR_RETURN(
        crypto::KeyFile::Contents contents, crypto::KeyFile::Read(key_file, pass)
    );
    if (contents.label.rfind(kLabelPrefix, 0) != 0) {
        return MakeError(
            ErrorCode::kInvalidArgument, key_file + " does not hold a note signing key"
        );
    }
    std::string name = contents.label.substr(kLabelPrefix.size());
    CONCORD_ASSIGN_OR_RETURN(
        crypto::SigningKey key, crypto::SigningKey::FromSeed(contents.secret.Span())
    );
    return ledger::NoteSigner(std::move(name), std::move(key));
}

Result<std::vector<ledger::NoteVerifier>> ParseVerifierArgs(const std::vector<std::string>& args) {
    std::vector<ledger::NoteVerifier> out;
    for (const std::string& arg : args) {
        std::string text = arg;
        if (arg.find('+') == std::string::npos) {
            CONCORD_ASSIGN_OR_RETURN(text, ReadFile(arg));
        }
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
            text.pop_back();
        }
        auto verifier = ledger::ParseVerifierKey(text);
        if (!verifier) {
            return MakeError(
                verifier.error().code, "--key " + arg + ": " + verifier.error().message
            );
        }
        out.push_back(std::move(*verifier));
    }
    return out;
}

void AddKeyCommands(CLI::App& app, Context& ctx) {
    CLI::App* keygen = app.add_subcommand(
        "keygen", "create a passphrase-protected Ed25519 note signing key; prints its verifier key"
    );
    struct Args {
        std::string name;
        std::string out;
        std::string passphrase_file;
    };
    auto args = std::make_shared<Args>();
    keygen->add_option("--name", args->name, "key name (a log's origin, e.g. node-a.example/log)")
        ->required();
    keygen
        ->add_option(
            "--out", args->out, "key file to create (mode 0600); FILE.pub gets the verifier key"
        )
        ->required();
    keygen->add_option(
        "--passphrase-file",
        args->passphrase_file,
        "file holding the passphrase (else $CONCORD_PASSPHRASE)"
    );
    keygen->callback([&ctx, args] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_RETURN_IF_ERROR(ledger::CheckKeyName(args->name));
            CONCORD_ASSIGN_OR_RETURN(std::string pass, ReadPassphrase(args->passphrase_file));
            crypto::SigningKey key = crypto::SigningKey::Generate();
            CONCORD_RETURN_IF_ERROR(crypto::KeyFile::Write(
                args->out, std::string(kLabelPrefix) + args->name, key.Seed(), pass
            ));
            std::string vkey =
                ledger::MakeVerifier(args->name, ledger::NoteKeyType::kEd25519, key.PublicKey())
                    .ToString();
            CONCORD_RETURN_IF_ERROR(WriteFile(args->out + ".pub", vkey + "\n"));
            ctx.out << vkey << "\n";
            return {};
        }());
    });
}

}  // namespace concord::cli
