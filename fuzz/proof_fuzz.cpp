// Fuzz target: Merkle proof verifiers, tlog-proof@v1 files and transparency-dev JSON proofs.
// Invariants: nothing crashes; a proof that verifies keeps verifying after a round trip through
// its text form, and stops verifying when its leaf changes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "concord/crypto/init.hpp"
#include "concord/ledger/merkle.hpp"
#include "concord/ledger/proof_file.hpp"

#include <fuzzer/FuzzedDataProvider.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace concord::ledger;  // NOLINT(google-build-using-namespace)
    static const bool initialised = concord::crypto::Initialize().has_value();
    if (!initialised) {
        std::abort();
    }
    FuzzedDataProvider fdp(data, size);
    const int mode = fdp.ConsumeIntegralInRange<int>(0, 2);
    if (mode == 0) {
        std::string text = fdp.ConsumeRemainingBytesAsString();
        auto proof = ParseTlogProof(text);
        if (proof) {
            auto again = ParseTlogProof(FormatTlogProof(*proof));
            if (!again || again->hashes != proof->hashes || again->index != proof->index) {
                std::abort();
            }
        }
        (void)VerifyJsonProof(text, std::nullopt);
        return 0;
    }
    const auto index = fdp.ConsumeIntegral<std::uint64_t>();
    const auto tree_size = fdp.ConsumeIntegral<std::uint64_t>();
    std::vector<Hash256> path;
    for (int i = 0; i < 70 && fdp.remaining_bytes() >= 32; ++i) {
        Hash256 h;
        fdp.ConsumeData(h.data(), h.size());
        path.push_back(h);
    }
    Hash256 a{};
    Hash256 b{};
    fdp.ConsumeData(a.data(), a.size());
    fdp.ConsumeData(b.data(), b.size());
    if (mode == 1) {
        auto root = RootFromInclusionProof(index, tree_size, a, path);
        if (root) {
            if (!VerifyInclusion(index, tree_size, a, path, *root)) {
                std::abort();
            }
            Hash256 other = a;
            other[0] ^= 1;
            if (VerifyInclusion(index, tree_size, other, path, *root)) {
                std::abort();
            }
        }
    } else {
        (void)VerifyConsistency(index, tree_size, path, a, b);
    }
    return 0;
}
