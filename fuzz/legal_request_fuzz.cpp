// Fuzzes the legal request checker and renderer with arbitrary request JSON against the shipped
// catalog. Any input must give findings or a typed refusal, never a crash, a leak or UB.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "concord/legal/catalog.hpp"
#include "concord/legal/check.hpp"
#include "concord/legal/render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const concord::legal::Catalog catalog = [] {
        auto loaded = concord::legal::LoadCatalog(concord::legal::DefaultInstrumentsDir());
        if (!loaded) {
            std::abort();  // a fuzzer without the catalog would test nothing
        }
        return std::move(*loaded);
    }();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The language follows the input size, so the seeds stay valid JSON and all six are reached.
    const std::string_view lang =
        concord::legal::kLanguages[size % concord::legal::kLanguages.size()];
    const auto findings = concord::legal::CheckRequest(catalog, text, lang);
    (void)concord::legal::HasErrors(findings);
    (void)concord::legal::FindingsToJson(findings);
    (void)concord::legal::RenderRequest(catalog, text, lang);
    return 0;
}
