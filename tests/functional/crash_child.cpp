// crash_child STORE_URL FIRST_KEY: the victim of the crash-consistency test. In an endless loop it
// commits one transaction per key — two business rows, one ledger entry and a signed checkpoint
// of the new tree — and only after Commit() returns writes "ack <key>" to stdout. The parent kills
// it with SIGKILL at a random moment and checks that everything acknowledged survived whole.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "concord/crypto/init.hpp"
#include "concord/ledger/log.hpp"
#include "concord/store/store.hpp"

#include "crash_schema.hpp"
#include <unistd.h>

namespace concord::functional {
namespace {
Result<void> CommitOne(
    store::Transaction& tx,
    ledger::Log& log,
    const ledger::NoteSigner& signer,
    std::int64_t key,
    const std::string& payload
) {
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO crash_records (k, part, payload) VALUES ($1, 1, $2), ($1, 2, $2)",
        {key, payload}
    ));
    CONCORD_RETURN_IF_ERROR(log.Append(tx, AsBytes(payload)));
    CONCORD_RETURN_IF_ERROR(log.MakeCheckpoint(tx, signer, kCrashOrigin));
    return tx.Commit();
}
}  // namespace
}  // namespace concord::functional

int main(int argc, char** argv) {
    using namespace concord;  // NOLINT(google-build-using-namespace)
    if (argc != 3 || !crypto::Initialize()) {
        std::fprintf(stderr, "usage: crash_child STORE_URL FIRST_KEY\n");
        return 2;
    }
    auto store = store::Store::Open(argv[1]);
    if (!store) {
        std::fprintf(stderr, "crash_child: %s\n", store.error().ToString().c_str());
        return 1;
    }
    auto migrations = functional::CrashSchema();
    if (auto m = (*store)->Migrate(migrations); !m) {
        std::fprintf(stderr, "crash_child: %s\n", m.error().ToString().c_str());
        return 1;
    }
    auto log = ledger::Log::Open(**store);
    if (!log) {
        std::fprintf(stderr, "crash_child: %s\n", log.error().ToString().c_str());
        return 1;
    }
    ledger::NoteSigner signer = functional::CrashSigner();
    for (std::int64_t key = std::atoll(argv[2]);; ++key) {
        auto tx = (*store)->Begin();
        if (!tx) {
            std::fprintf(stderr, "crash_child: %s\n", tx.error().ToString().c_str());
            return 1;
        }
        std::string payload = functional::CrashPayload(key);
        auto ok = functional::CommitOne(**tx, **log, signer, key, payload);
        if (!ok) {
            std::fprintf(stderr, "crash_child: %s\n", ok.error().ToString().c_str());
            return 1;
        }
        std::string ack = "ack " + std::to_string(key) + "\n";
        if (::write(STDOUT_FILENO, ack.data(), ack.size()) != static_cast<ssize_t>(ack.size())) {
            return 1;
        }
    }
}
