#include <iostream>
#include <memory>

#include <boost/json.hpp>

#include "concord/legal/catalog.hpp"
#include "concord/legal/check.hpp"
#include "concord/legal/json_view.hpp"
#include "concord/legal/mapping.hpp"
#include "concord/legal/messages.hpp"
#include "concord/legal/reference.hpp"
#include "concord/legal/render.hpp"

#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {

void AddLegalPartiesCommand(CLI::App& legal_app, Context& ctx);  // legal_parties_command.cpp

namespace {

struct CommonArgs {
    std::string instruments_dir;
    std::string lang{"en"};
    bool json{false};
};

void AddCommon(CLI::App* cmd, CommonArgs& args) {
    cmd->add_option(
        "--instruments", args.instruments_dir, "instruments directory (default: built-in)"
    );
    cmd->add_option("--lang", args.lang, "language: ar, zh, en, fr, ru, es")
        ->check(CLI::IsMember({"ar", "zh", "en", "fr", "ru", "es"}));
    cmd->add_flag("--json", args.json, "print JSON");
}

Result<legal::Catalog> Load(const CommonArgs& args) {
    return legal::LoadCatalog(
        args.instruments_dir.empty() ? legal::DefaultInstrumentsDir()
                                     : std::filesystem::path(args.instruments_dir)
    );
}

std::string Status(const legal::Catalog& c, legal::Verification v, const std::string& lang) {
    return c.Text("verification." + std::string(legal::VerificationName(v)), lang);
}

Result<void> ListInstruments(Context& ctx, const CommonArgs& args) {
    CONCORD_ASSIGN_OR_RETURN(legal::Catalog catalog, Load(args));
    if (args.json) {
        ctx.out << legal::InstrumentsJson(catalog, args.lang) << "\n";
        return {};
    }
    for (const auto& [id, ins] : catalog.instruments) {
        ctx.out << id << "\t" << ins.short_name << "\t" << legal::Pick(ins.title, args.lang) << "\t"
                << (ins.in_force.empty() ? "-" : ins.in_force) << "\n";
    }
    return {};
}

Result<void> ListOffences(Context& ctx, const CommonArgs& args, const std::string& id) {
    CONCORD_ASSIGN_OR_RETURN(legal::Catalog catalog, Load(args));
    CONCORD_ASSIGN_OR_RETURN(std::string json, legal::OffencesJson(catalog, id, args.lang));
    if (args.json) {
        ctx.out << json << "\n";
        return {};
    }
    for (const legal::Article& a : catalog.instruments.find(id)->second.articles) {
        if (a.kind == "offence") {
            ctx.out << id << ":" << a.id << "\t" << legal::Pick(a.title, args.lang) << "\t"
                    << Status(catalog, a.verification, args.lang) << "\n";
        }
    }
    return {};
}

Result<void> Map(Context& ctx, const CommonArgs& args, const std::string& citation) {
    CONCORD_ASSIGN_OR_RETURN(legal::Catalog catalog, Load(args));
    if (args.json) {
        CONCORD_ASSIGN_OR_RETURN(
            std::string json, legal::MappingJson(catalog, citation, args.lang)
        );
        ctx.out << json << "\n";
        return {};
    }
    CONCORD_ASSIGN_OR_RETURN(legal::Mapping m, legal::MapArticle(catalog, citation));
    const std::string none = catalog.Text("label.none", args.lang);
    ctx.out << citation << "\t" << legal::Pick(m.article->title, args.lang) << "\t"
            << Status(catalog, m.article->verification, args.lang) << "\n";
    ctx.out << catalog.Text("label.concept", args.lang) << ": "
            << (m.offence_concept != nullptr ? legal::Pick(m.offence_concept->title, args.lang)
                                             : none)
            << "\n";
    for (const legal::Counterpart& cp : m.counterparts) {
        for (const legal::Article* a : cp.articles) {
            ctx.out << "  " << cp.instrument << ":" << a->id << "\t"
                    << legal::Pick(a->title, args.lang) << "\t"
                    << Status(catalog, a->verification, args.lang) << "\n";
        }
        for (const std::string& cite : cp.partial) {
            ctx.out << "  " << cite << "\t" << catalog.Text("label.partial_counterpart", args.lang)
                    << "\t" << Status(catalog, legal::Cite(catalog, cite).verification, args.lang)
                    << "\n";
        }
        if (cp.articles.empty() && cp.partial.empty()) {
            ctx.out << "  " << cp.instrument << "\t" << none << "\n";
        }
    }
    return {};
}

// True when the request has errors: it must not be sent (exit status 1).
Result<bool> Check(Context& ctx, const CommonArgs& args, const std::string& file) {
    CONCORD_ASSIGN_OR_RETURN(legal::Catalog catalog, Load(args));
    CONCORD_ASSIGN_OR_RETURN(std::string json, file == "-" ? ReadAll(ctx.in) : ReadFile(file));
    std::vector<legal::Finding> findings = legal::CheckRequest(catalog, json, args.lang);
    if (args.json) {
        ctx.out << legal::FindingsToJson(findings) << "\n";
    } else {
        // Severity, citation status and punctuation in the reader's language; the code and
        // the field stay as they are (stable identifiers for scripts).
        for (const legal::Finding& f : findings) {
            ctx.out << legal::FormatText(
                           catalog,
                           "severity." + std::string(legal::SeverityName(f.severity)),
                           args.lang
                       )
                    << "\t" << f.code << "\t" << (f.field.empty() ? "-" : f.field) << "\t"
                    << f.message;
            for (const legal::Citation& c : f.citations) {
                ctx.out << " "
                        << legal::FormatText(
                               catalog,
                               "format.cited",
                               args.lang,
                               {{"cite", c.ref},
                                {"status", Status(catalog, c.verification, args.lang)}}
                           );
            }
            ctx.out << "\n";
        }
    }
    if (legal::HasErrors(findings)) {
        ctx.err << "concord: " << legal::FormatText(catalog, "cli.request_has_errors", args.lang)
                << "\n";
    }
    return legal::HasErrors(findings);
}

Result<void> Render(Context& ctx, const CommonArgs& args, const std::string& file) {
    CONCORD_ASSIGN_OR_RETURN(legal::Catalog catalog, Load(args));
    CONCORD_ASSIGN_OR_RETURN(std::string json, file == "-" ? ReadAll(ctx.in) : ReadFile(file));
    CONCORD_ASSIGN_OR_RETURN(std::string text, legal::RenderRequest(catalog, json, args.lang));
    ctx.out << text;
    return {};
}

// The shipped example of a request type (instruments/examples/<type>.json, checked by the legal
// tests to pass without errors) is the skeleton to start from.
Result<void> Template(Context& ctx, const CommonArgs& args, const std::string& type) {
    CONCORD_ASSIGN_OR_RETURN(legal::Catalog catalog, Load(args));
    if (!catalog.request_types.contains(type)) {
        std::string known;
        for (const auto& [id, rt] : catalog.request_types) {
            known += (known.empty() ? "" : ", ") + id;
        }
        return MakeError(
            ErrorCode::kNotFound, "unknown request type '" + type + "'; known: " + known
        );
    }
    CONCORD_ASSIGN_OR_RETURN(std::string json, ReadFile(legal::ExampleRequestFile(catalog, type)));
    ctx.out << json;
    return {};
}

Result<void> Fields(Context& ctx, const CommonArgs& args) {
    CONCORD_ASSIGN_OR_RETURN(legal::Catalog catalog, Load(args));
    ctx.out << legal::FieldTablesMarkdown(catalog);
    return {};
}

}  // namespace

void AddLegalCommands(CLI::App& app, Context& ctx) {
    CLI::App* legal_app = app.add_subcommand("legal", "legal instruments, request checks");
    legal_app->require_subcommand(1);
    auto args = std::make_shared<CommonArgs>();
    auto operand = std::make_shared<std::string>();

    CLI::App* instruments = legal_app->add_subcommand("instruments", "list the instruments");
    AddCommon(instruments, *args);
    instruments->callback([&ctx, args] { Finish(ctx, ListInstruments(ctx, *args)); });

    CLI::App* offences = legal_app->add_subcommand("offences", "list an instrument's offences");
    AddCommon(offences, *args);
    offences->add_option("--instrument", *operand, "instrument id, e.g. budapest")->required();
    offences->callback([&ctx, args, operand] { Finish(ctx, ListOffences(ctx, *args, *operand)); });

    CLI::App* map = legal_app->add_subcommand("map", "corresponding articles of other instruments");
    AddCommon(map, *args);
    map->add_option("article", *operand, "INSTRUMENT:ARTICLE, e.g. budapest:2")->required();
    map->callback([&ctx, args, operand] { Finish(ctx, Map(ctx, *args, *operand)); });

    CLI::App* check = legal_app->add_subcommand("check", "check a request (exit 1 on errors)");
    AddCommon(check, *args);
    check->add_option("request", *operand, "request JSON file, '-' for stdin")->required();
    check->callback([&ctx, args, operand] {
        Result<bool> has_errors = Check(ctx, *args, *operand);
        if (has_errors && *has_errors) {
            ctx.status = kExitInvalid;
            return;
        }
        Finish(ctx, has_errors ? Result<void>{} : Result<void>(has_errors.error()));
    });

    CLI::App* tmpl = legal_app->add_subcommand("template", "print a valid request of a type");
    AddCommon(tmpl, *args);
    tmpl->add_option("type", *operand, "request type, e.g. expedited_preservation")->required();
    tmpl->callback([&ctx, args, operand] { Finish(ctx, Template(ctx, *args, *operand)); });

    CLI::App* fields =
        legal_app->add_subcommand("fields", "the field tables of docs/legal-data.md (Markdown)");
    AddCommon(fields, *args);
    fields->callback([&ctx, args] { Finish(ctx, Fields(ctx, *args)); });

    CLI::App* render = legal_app->add_subcommand("render", "render a request in a language");
    AddCommon(render, *args);
    render->add_option("request", *operand, "request JSON file, '-' for stdin")->required();
    render->callback([&ctx, args, operand] { Finish(ctx, Render(ctx, *args, *operand)); });

    AddLegalPartiesCommand(*legal_app, ctx);
}

}  // namespace concord::cli
