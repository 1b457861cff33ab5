#include "concord/legal/reference.hpp"

#include <fmt/format.h>

namespace concord::legal {
namespace {

std::string JoinCites(const std::vector<std::string>& cites) {
    std::string out;
    for (const std::string& c : cites) {
        out += (out.empty() ? "" : ", ") + c;
    }
    return out;
}

}  // namespace

std::string FieldTablesMarkdown(const Catalog& catalog) {
    std::string out;
    for (const auto& [id, type] : catalog.request_types) {
        out += fmt::format("#### `{}`: {}\n\n", id, Pick(type.name, "en"));
        std::string bases;
        for (const Basis& b : type.bases) {
            bases += fmt::format(
                "{}`{}` (to a {}; dual criminality {}, {})",
                bases.empty() ? "" : "; ",
                b.cite,
                b.addressee == "service_provider" ? "service provider" : b.addressee,
                b.dual_criminality,
                b.dual_criminality_cite
            );
        }
        out += "Bases: " + bases + ".";
        if (type.emergency) {
            out += " An emergency must be established (`emergency`).";
        } else if (type.emergency_allowed) {
            out += " An emergency may be claimed (`emergency`).";
        }
        if (!type.offences_required) {
            out += " No offence need be named.";
        }
        out += fmt::format(
            " Example: `instruments/examples/{}`.\n\n",
            ExampleRequestFile(catalog, id).filename().string()
        );
        out += "| field | type | required | max bytes per string | list of at most | cites |\n";
        out += "|---|---|---|---|---|---|\n";
        for (const FieldSpec& f : type.fields) {
            std::string kind = f.type;
            if (!f.values.empty()) {
                kind += ": " + JoinCites(f.values);
            }
            out += fmt::format(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                f.name,
                kind,
                f.required ? "yes" : "no",
                f.max_length,
                f.list ? std::to_string(f.max_items) : "-",
                f.cites.empty() ? "-" : JoinCites(f.cites)
            );
        }
        out += "\n";
    }
    return out;
}

}  // namespace concord::legal
