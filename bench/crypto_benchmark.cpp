// Throughput of the cryptographic primitives every other figure is measured against
// (DESIGN §7): Ed25519 sign and verify, authenticated box open, SHA-256 through OpenSSL EVP.

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <benchmark/benchmark.h>

#include "concord/core/bytes.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/sha256.hpp"

#include "bench_main.hpp"

namespace concord::crypto {
namespace {

// A signed federation message is a few hundred bytes of canonical JSON.
constexpr std::size_t kSignedMessageBytes = 256;
constexpr std::size_t kBoxMessageBytes = 1024;

void BM_Ed25519Sign(benchmark::State& state) {
    SigningKey key = SigningKey::Generate();
    Bytes message = RandomBytes(kSignedMessageBytes);
    for ([[maybe_unused]] auto _ : state) {
        Signature sig = key.Sign(message);
        benchmark::DoNotOptimize(sig);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
    SigningKey key = SigningKey::Generate();
    Bytes message = RandomBytes(kSignedMessageBytes);
    Signature sig = key.Sign(message);
    for ([[maybe_unused]] auto _ : state) {
        Result<void> ok = Verify(key.PublicKey(), message, sig);
        if (!ok) {
            state.SkipWithError("signature did not verify");
            break;
        }
        benchmark::DoNotOptimize(ok);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Verify);

// BoxOpen of a 1 KiB message: X25519 + HSalsa20 key derivation, then XChaCha20-Poly1305.
void BM_BoxOpen(benchmark::State& state) {
    BoxKeyPair sender = BoxKeyPair::Generate();
    BoxKeyPair recipient = BoxKeyPair::Generate();
    Bytes message = RandomBytes(kBoxMessageBytes);
    Bytes ad = ToBytes("concord-bench-associated-data");
    Result<Bytes> sealed = BoxSeal(message, ad, recipient.PublicKey(), sender);
    if (!sealed) {
        state.SkipWithError("BoxSeal failed");
        return;
    }
    for ([[maybe_unused]] auto _ : state) {
        Result<Bytes> opened = BoxOpen(*sealed, ad, sender.PublicKey(), recipient);
        if (!opened) {
            state.SkipWithError("BoxOpen failed");
            break;
        }
        benchmark::DoNotOptimize(opened);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kBoxMessageBytes));
}
BENCHMARK(BM_BoxOpen);

// SHA-256 through OpenSSL EVP (SHA-NI where the CPU has it). libsodium's SHA-256 is not exposed
// outside libs/crypto, so it has no comparison benchmark here.
void BM_Sha256(benchmark::State& state) {
    Bytes data = RandomBytes(static_cast<std::size_t>(state.range(0)));
    for ([[maybe_unused]] auto _ : state) {
        Hash256 h = Sha256(data);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(64)->Arg(1024)->Arg(1 << 20);

}  // namespace
}  // namespace concord::crypto

int main(int argc, char** argv) {
    return concord::bench::RunBenchmarks(argc, argv);
}
