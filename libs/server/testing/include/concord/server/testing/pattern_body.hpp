#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "concord/crypto/sha256.hpp"
#include "concord/net/stream.hpp"

namespace concord::server::testing {

/// `size` bytes of a fixed pseudo-random 1 MiB pattern, repeated, as an upload body (tests and
/// benchmarks that move large files without holding them). Hashes what it handed out.
class PatternBody final : public net::BodySource {
public:
    explicit PatternBody(std::uint64_t size) : left_(size), piece_(std::size_t{1} << 20) {
        std::mt19937 rng(7);
        for (auto& b : piece_) {
            b = static_cast<std::uint8_t>(rng());
        }
    }
    Result<size_t> Read(std::span<std::uint8_t> buffer) override {
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>({buffer.size(), piece_.size() - at_, left_})
        );
        std::memcpy(buffer.data(), piece_.data() + at_, n);
        hasher_.Update(ByteSpan(buffer.data(), n));
        at_ = (at_ + n) % piece_.size();
        left_ -= n;
        return n;
    }
    /// The SHA-256 of every byte read so far (once: it resets the hash).
    crypto::Hash256 Sha256() { return hasher_.Finish(); }

private:
    std::uint64_t left_;
    std::vector<std::uint8_t> piece_;
    std::size_t at_{0};
    crypto::Sha256Hasher hasher_;
};

}  // namespace concord::server::testing
