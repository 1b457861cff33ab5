// Fuzz target: the node configuration parser (server::ParseConfig, what concordd reads at start).
// Invariants: any text gives a Config or a typed error naming the file, never a crash, a leak or
// an exception; a Config it accepts is accepted again when parsed a second time (no state).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "concord/server/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::filesystem::path file = "/fuzz/node/config.toml";
    auto first = concord::server::ParseConfig(text, file);
    if (!first) {
        // Every refusal names the file it is about.
        if (first.error().message.find(file.string()) == std::string::npos) {
            std::abort();
        }
        return 0;
    }
    auto second = concord::server::ParseConfig(text, file);
    if (!second || second->node_id != first->node_id || second->store_url != first->store_url ||
        second->listen_port != first->listen_port) {
        std::abort();
    }
    return 0;
}
