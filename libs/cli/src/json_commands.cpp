#include <iostream>
#include <memory>

#include "concord/core/canonical_json.hpp"

#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {

void AddJsonCommands(CLI::App& app, Context& ctx) {
    CLI::App* json = app.add_subcommand("json", "JSON tools");
    json->require_subcommand(1);
    CLI::App* canon = json->add_subcommand(
        "canonicalize", "print the RFC 8785 canonical form of a JSON text (stdin without FILE)"
    );
    auto file = std::make_shared<std::string>();
    canon->add_option("FILE", *file, "JSON file; standard input when absent");
    canon->callback([&ctx, file] {
        std::string text;
        if (file->empty()) {
            text = ReadAll(ctx.in);
        } else {
            auto read = ReadFile(*file);
            if (!read) {
                Finish(ctx, read.error());
                return;
            }
            text = std::move(*read);
        }
        auto canonical = json::CanonicalizeOrError(text);
        if (!canonical) {
            Finish(ctx, canonical.error());
            return;
        }
        ctx.out << *canonical;
        ctx.out.flush();
        Finish(ctx, {});
    });
}

}  // namespace concord::cli
