#pragma once

// Shared by the crash-consistency test and its child process.

#include <string>
#include <string_view>
#include <vector>

#include "concord/crypto/ed25519.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

namespace concord::functional {

inline constexpr std::string_view kCrashOrigin = "crash.example/log";

inline std::vector<store::Migration> CrashSchema() {
    return {store::Migration{
        "crash_test",
        1,
        "CREATE TABLE crash_records (k INTEGER NOT NULL, part INTEGER NOT NULL, payload TEXT NOT "
        "NULL, "
        "PRIMARY KEY (k, part));",
        "CREATE TABLE crash_records (k BIGINT NOT NULL, part INTEGER NOT NULL, payload TEXT NOT "
        "NULL, "
        "PRIMARY KEY (k, part));",
    }};
}

inline std::string CrashPayload(std::int64_t key) {
    return R"({"event":"crash-test","key":)" + std::to_string(key) + "}";
}

inline ledger::NoteSigner CrashSigner() {
    Bytes seed(32, 0x11);
    return ledger::NoteSigner(std::string(kCrashOrigin), *crypto::SigningKey::FromSeed(seed));
}

}  // namespace concord::functional
