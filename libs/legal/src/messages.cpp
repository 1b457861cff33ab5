#include "concord/legal/messages.hpp"

#include "message_format.hpp"

namespace concord::legal {

std::string FormatText(
    const Catalog& catalog,
    std::string_view key,
    std::string_view lang,
    const std::vector<std::pair<std::string, std::string>>& args
) {
    detail::MessageArgs formatted;
    formatted.reserve(args.size());
    for (const auto& arg : args) {
        formatted.emplace_back(arg.first, arg.second);
    }
    return detail::FormatMessage(catalog, key, lang, formatted);
}

}  // namespace concord::legal
