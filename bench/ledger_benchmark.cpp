// The Merkle audit log (DESIGN §7: >= 100k appends/s batched; inclusion and consistency proofs at
// 10^8 leaves in < 1 ms), each beside the limits measured in the same run: the leaf and node
// hashes it is made of, and the Store's own row-insert and point-read rates.
//
// SQLite databases live in a fresh directory under /tmp (on disk here, not tmpfs), removed at
// exit. PostgreSQL runs only when CONCORD_PG_TEST_DSN names a throwaway server
// (scripts/run-benchmarks starts one with scripts/pg-test-cluster).

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include <benchmark/benchmark.h>

#include "concord/core/bytes.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/merkle.hpp"
#include "concord/store/store.hpp"

#include "bench_main.hpp"

namespace concord::ledger {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kLeafBytes = 100;
// Rows per multi-row INSERT in the Store baseline (the Log uses the same chunk).
constexpr std::size_t kInsertChunk = 64;
constexpr std::uint64_t kProofSamples = 256;

// ----- helpers ---------------------------------------------------------------------------------

fs::path& TempDirSlot() {
    static fs::path dir;
    return dir;
}

const fs::path& TempDir() {
    fs::path& dir = TempDirSlot();
    if (dir.empty()) {
        std::string templ = (fs::temp_directory_path() / "concord-bench.XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) {
            std::perror("mkdtemp");
            std::abort();
        }
        dir = templ;
    }
    return dir;
}

void RemoveTempDir() {
    fs::path& dir = TempDirSlot();
    if (!dir.empty()) {
        std::error_code ec;
        fs::remove_all(dir, ec);
        dir.clear();
    }
}

// A new SQLite database file in the temp dir.
Result<std::unique_ptr<store::Store>> OpenFreshSqlite(const std::string& stem) {
    static int counter = 0;
    return store::Store::Open(
        "sqlite:" + (TempDir() / (stem + "-" + std::to_string(counter++) + ".db")).string()
    );
}

const char* PgDsn() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in this process calls setenv
    return std::getenv("CONCORD_PG_TEST_DSN");
}

Result<std::unique_ptr<store::Store>> OpenPostgres() {
    return store::Store::Open(PgDsn());
}

// `n` leaves of kLeafBytes: an 8-byte big-endian sequence number, then pseudo-random bytes.
std::vector<Bytes> MakeLeaves(std::uint64_t first, std::size_t n) {
    std::mt19937_64 rng(first);
    std::vector<Bytes> leaves;
    leaves.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        Bytes leaf;
        leaf.reserve(kLeafBytes);
        AppendU64BigEndian(leaf, first + i);
        while (leaf.size() < kLeafBytes) {
            leaf.push_back(static_cast<std::uint8_t>(rng()));
        }
        leaves.push_back(std::move(leaf));
    }
    return leaves;
}

// Skips the benchmark with `what` and the error if `r` failed. Returns whether it succeeded.
template <class T>
bool Ok(benchmark::State& state, const Result<T>& r, const char* what) {
    if (r.has_value()) {
        return true;
    }
    std::string msg = std::string(what) + ": " + r.error().ToString();
    state.SkipWithError(msg.c_str());
    return false;
}

std::size_t Batch(const benchmark::State& state) {
    return static_cast<std::size_t>(state.range(0));
}

// The transaction sizes of the storage benchmarks: 1, 100 and 10,000 rows or leaves, wall time
// (they wait on fsync).
void BatchSizes(benchmark::internal::Benchmark* b) {
    b->Arg(1)->Arg(100)->Arg(10000)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

// Runs `body` on a new SQLite database named after `stem`.
void OnFreshSqlite(
    benchmark::State& state, const std::string& stem, void (*body)(benchmark::State&, store::Store&)
) {
    auto db = OpenFreshSqlite(stem);
    if (Ok(state, db, "Store::Open")) {
        body(state, **db);
    }
}

// Runs `body` on the PostgreSQL server named by CONCORD_PG_TEST_DSN; says so when there is none.
void OnPostgres(benchmark::State& state, void (*body)(benchmark::State&, store::Store&)) {
    if (PgDsn() == nullptr) {
        state.SkipWithError("skipped: no CONCORD_PG_TEST_DSN");
        return;
    }
    auto db = OpenPostgres();
    if (Ok(state, db, "Store::Open")) {
        body(state, **db);
    }
}

// ----- primitive limits: hashing ---------------------------------------------------------------

// RFC 9162 leaf hash SHA-256(0x00 || 100 bytes): the per-append hashing floor.
void BM_LeafHash(benchmark::State& state) {
    Bytes leaf = MakeLeaves(0, 1)[0];
    for ([[maybe_unused]] auto _ : state) {
        Hash256 h = LeafHash(leaf);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LeafHash);

// Interior node hash SHA-256(0x01 || left || right): the unit of proof verification.
void BM_NodeHash(benchmark::State& state) {
    Hash256 left = LeafHash(MakeLeaves(0, 1)[0]);
    Hash256 right = LeafHash(MakeLeaves(1, 1)[0]);
    for ([[maybe_unused]] auto _ : state) {
        Hash256 h = NodeHash(left, right);
        benchmark::DoNotOptimize(h);
        left = h;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NodeHash);

// ----- primitive limits: the Store -------------------------------------------------------------

std::vector<store::Migration> RowMigrations() {
    return {store::Migration{
        "bench_rows",
        1,
        "CREATE TABLE bench_rows (idx INTEGER PRIMARY KEY, data BLOB NOT NULL)",
        "CREATE TABLE bench_rows (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL)",
    }};
}

std::string RowInsertSql(std::size_t rows) {
    std::string sql = "INSERT INTO bench_rows (idx, data) VALUES ";
    for (std::size_t i = 0; i < rows; ++i) {
        sql += (i == 0 ? "(" : ", (");
        sql += "$" + std::to_string(2 * i + 1) + ", $" + std::to_string(2 * i + 2) + ")";
    }
    return sql;
}

// Plain (idx, 100-byte blob) rows through the Store interface, `batch` rows per committed
// transaction, in multi-row INSERTs of kInsertChunk rows: what the storage layer can do without
// any ledger work. With batch = 1 it is the durable-commit rate.
void StoreInsertRows(benchmark::State& state, store::Store& db) {
    auto migrations = RowMigrations();
    if (!Ok(state, db.Migrate(migrations), "Migrate")) {
        return;
    }
    std::int64_t next = 0;
    {
        auto tx = db.Begin();
        if (!Ok(state, tx, "Begin")) {
            return;
        }
        auto rows = (*tx)->Query("SELECT COALESCE(MAX(idx), -1) FROM bench_rows");
        if (!Ok(state, rows, "SELECT MAX")) {
            return;
        }
        next = (*rows)[0].Int(0) + 1;
    }
    const std::size_t batch = Batch(state);
    const std::vector<Bytes> blobs = MakeLeaves(0, batch);
    const std::string full_sql = RowInsertSql(kInsertChunk);
    std::vector<store::Value> params;
    params.reserve(2 * kInsertChunk);
    for ([[maybe_unused]] auto _ : state) {
        auto tx = db.Begin();
        if (!Ok(state, tx, "Begin")) {
            break;
        }
        bool failed = false;
        for (std::size_t i = 0; i < batch && !failed; ++i) {
            params.emplace_back(next++);
            params.emplace_back(blobs[i]);
            if (params.size() == 2 * kInsertChunk || i + 1 == batch) {
                std::size_t rows = params.size() / 2;
                auto changed =
                    (*tx)->Execute(rows == kInsertChunk ? full_sql : RowInsertSql(rows), params);
                failed = !Ok(state, changed, "INSERT");
                params.clear();
            }
        }
        if (failed || !Ok(state, (*tx)->Commit(), "Commit")) {
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
    state.counters["commits_per_second"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_StoreInsertRowsSqlite(benchmark::State& state) {
    OnFreshSqlite(state, "rows", StoreInsertRows);
}
BENCHMARK(BM_StoreInsertRowsSqlite)->Apply(BatchSizes);

void BM_StoreInsertRowsPostgres(benchmark::State& state) {
    OnPostgres(state, StoreInsertRows);
}
BENCHMARK(BM_StoreInsertRowsPostgres)->Apply(BatchSizes);

// ----- ledger appends --------------------------------------------------------------------------

// `batch` leaves per committed transaction through Log::Append.
void LedgerAppend(benchmark::State& state, store::Store& db) {
    auto log = Log::Open(db);
    if (!Ok(state, log, "Log::Open")) {
        return;
    }
    const std::size_t batch = Batch(state);
    const std::vector<Bytes> leaves = MakeLeaves(0, batch);
    std::uint64_t size = 0;
    for ([[maybe_unused]] auto _ : state) {
        auto tx = db.Begin();
        if (!Ok(state, tx, "Begin")) {
            break;
        }
        auto appended = (*log)->Append(**tx, leaves);
        if (!Ok(state, appended, "Append") || !Ok(state, (*tx)->Commit(), "Commit")) {
            break;
        }
        size = appended->size;
        benchmark::DoNotOptimize(appended->root);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
    state.counters["commits_per_second"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["tree_size"] = static_cast<double>(size);
}

void BM_LedgerAppendSqlite(benchmark::State& state) {
    OnFreshSqlite(state, "append", LedgerAppend);
}
BENCHMARK(BM_LedgerAppendSqlite)->Apply(BatchSizes);

void BM_LedgerAppendPostgres(benchmark::State& state) {
    OnPostgres(state, LedgerAppend);
}
BENCHMARK(BM_LedgerAppendPostgres)->Apply(BatchSizes);

// ----- proofs on a real SQLite log -------------------------------------------------------------

// A SQLite log of `size` leaves, built once per process with large batches.
struct RealLog {
    std::unique_ptr<store::Store> db;
    std::unique_ptr<Log> log;
    std::uint64_t size{0};
    Hash256 root{};
    double build_seconds{0};
};

std::map<std::uint64_t, std::unique_ptr<RealLog>>& RealLogs() {
    static std::map<std::uint64_t, std::unique_ptr<RealLog>> logs;
    return logs;
}

Result<RealLog*> GetRealLog(std::uint64_t size) {
    auto& logs = RealLogs();
    if (auto it = logs.find(size); it != logs.end()) {
        return it->second.get();
    }
    auto started = std::chrono::steady_clock::now();
    auto real = std::make_unique<RealLog>();
    CONCORD_ASSIGN_OR_RETURN(real->db, OpenFreshSqlite("proofs"));
    CONCORD_ASSIGN_OR_RETURN(real->log, Log::Open(*real->db));
    constexpr std::uint64_t kBuildBatch = 50000;
    for (std::uint64_t first = 0; first < size; first += kBuildBatch) {
        std::uint64_t n = std::min(kBuildBatch, size - first);
        std::vector<Bytes> leaves = MakeLeaves(first, static_cast<std::size_t>(n));
        CONCORD_ASSIGN_OR_RETURN(auto tx, real->db->Begin());
        CONCORD_RETURN_IF_ERROR(real->log->Append(*tx, leaves));
        CONCORD_RETURN_IF_ERROR(tx->Commit());
    }
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, real->db->Begin());
        CONCORD_ASSIGN_OR_RETURN(real->root, real->log->Root(*tx, size));
    }
    real->size = size;
    real->build_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(
        stderr,
        "ledger_benchmark: built a SQLite log of %llu leaves in %.1f s\n",
        static_cast<unsigned long long>(size),
        real->build_seconds
    );
    RealLog* out = real.get();
    logs.emplace(size, std::move(real));
    return out;
}

// Mean number of NodeReader calls per proof over `samples` (index or size1) values.
template <class MakeProof>
double MeanReads(
    const NodeReader& inner, const std::vector<std::uint64_t>& samples, MakeProof make
) {
    std::uint64_t reads = 0;
    NodeReader counting = [&](std::uint32_t level, std::uint64_t index) {
        ++reads;
        return inner(level, index);
    };
    for (std::uint64_t s : samples) {
        auto proof = make(counting, s);
        benchmark::DoNotOptimize(proof);
    }
    return static_cast<double>(reads) / static_cast<double>(samples.size());
}

std::vector<std::uint64_t> Samples(std::uint64_t lo, std::uint64_t hi, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::uint64_t> dist(lo, hi - 1);
    std::vector<std::uint64_t> out(kProofSamples);
    for (auto& v : out) {
        v = dist(rng);
    }
    return out;
}

// The Store limit for proof generation: point reads of one row by primary key in the ledger's
// table (Log::Leaf), all in one open transaction.
void BM_StorePointReadSqlite(benchmark::State& state) {
    auto real = GetRealLog(static_cast<std::uint64_t>(state.range(0)));
    if (!Ok(state, real, "building the log")) {
        return;
    }
    auto tx = (*real)->db->Begin();
    if (!Ok(state, tx, "Begin")) {
        return;
    }
    const auto samples = Samples(0, (*real)->size, 1);
    std::size_t i = 0;
    for ([[maybe_unused]] auto _ : state) {
        auto leaf = (*real)->log->Leaf(**tx, samples[i++ % samples.size()]);
        if (!Ok(state, leaf, "Leaf")) {
            break;
        }
        benchmark::DoNotOptimize(leaf);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StorePointReadSqlite)->Arg(1000000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The fixed cost of a proof's own transaction: Begin and Rollback with nothing in between
// (SQLite: BEGIN IMMEDIATE, taken by every transaction).
void BM_StoreBeginRollbackSqlite(benchmark::State& state) {
    auto real = GetRealLog(static_cast<std::uint64_t>(state.range(0)));
    if (!Ok(state, real, "building the log")) {
        return;
    }
    for ([[maybe_unused]] auto _ : state) {
        auto tx = (*real)->db->Begin();
        if (!Ok(state, tx, "Begin")) {
            break;
        }
        (*tx)->Rollback();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreBeginRollbackSqlite)->Arg(1000000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The timed loop of every proof benchmark: `once(k)` builds or checks one proof for sample k and
// returns how many hashes the proof has, or nullopt after reporting an error (which ends the run).
template <class Once>
void TimeProofs(benchmark::State& state, std::size_t samples, Once once) {
    std::size_t i = 0;
    std::uint64_t hashes = 0;
    for ([[maybe_unused]] auto _ : state) {
        std::optional<std::size_t> n = once(i++ % samples);
        if (!n) {
            break;
        }
        hashes += *n;
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["proof_hashes"] =
        benchmark::Counter(static_cast<double>(hashes), benchmark::Counter::kAvgIterations);
}

// Proof generation from a real 10^6-leaf log, each proof in its own transaction (Begin, head read,
// O(log n) node reads, Rollback). `make(nodes, x)` builds the proof from a NodeReader (to count
// reads); `prove(log, tx, x)` asks the Log, for x drawn from [lo, size).
template <class Make, class Prove>
void StoredProof(
    benchmark::State& state, std::uint64_t lo, std::uint64_t seed, Make make, Prove prove
) {
    auto real = GetRealLog(static_cast<std::uint64_t>(state.range(0)));
    if (!Ok(state, real, "building the log")) {
        return;
    }
    RealLog& r = **real;
    const auto samples = Samples(lo, r.size, seed);
    {
        auto tx = r.db->Begin();
        if (!Ok(state, tx, "Begin")) {
            return;
        }
        state.counters["node_reads"] =
            MeanReads(r.log->Nodes(**tx), samples, [&](const NodeReader& nodes, std::uint64_t x) {
                return make(nodes, x, r.size);
            });
    }
    TimeProofs(state, samples.size(), [&](std::size_t k) -> std::optional<std::size_t> {
        auto tx = r.db->Begin();
        if (!Ok(state, tx, "Begin")) {
            return std::nullopt;
        }
        auto proof = prove(*r.log, **tx, samples[k], r.size);
        if (!Ok(state, proof, "proof")) {
            return std::nullopt;
        }
        (*tx)->Rollback();
        benchmark::DoNotOptimize(proof);
        return proof->size();
    });
}

void BM_InclusionProof(benchmark::State& state) {
    StoredProof(
        state,
        0,
        2,
        MakeInclusionProof,
        [](Log& log, store::Transaction& tx, std::uint64_t index, std::uint64_t size) {
            return log.InclusionProof(tx, index, size);
        }
    );
}
BENCHMARK(BM_InclusionProof)->Arg(1000000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Log::ConsistencyProof from a random earlier size to the full log.
void BM_ConsistencyProof(benchmark::State& state) {
    StoredProof(
        state,
        1,
        4,
        MakeConsistencyProof,
        [](Log& log, store::Transaction& tx, std::uint64_t size1, std::uint64_t size) {
            return log.ConsistencyProof(tx, size1, size);
        }
    );
}
BENCHMARK(BM_ConsistencyProof)->Arg(1000000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// What a verifier gets for one sampled proof: the inclusion index or consistency size1, the leaf
// hash or first root, and the proof.
struct ProofCase {
    std::uint64_t x;
    Hash256 start;
    std::vector<Hash256> proof;
};

// Times verification of `cases` with `verify(c)`.
template <class Verify>
void VerifyCases(benchmark::State& state, const std::vector<ProofCase>& cases, Verify verify) {
    TimeProofs(state, cases.size(), [&](std::size_t k) -> std::optional<std::size_t> {
        auto ok = verify(cases[k]);
        if (!Ok(state, ok, "verify")) {
            return std::nullopt;
        }
        benchmark::DoNotOptimize(ok);
        return cases[k].proof.size();
    });
}

// Cases taken from the real log: `start(log, tx, x)` gives the leaf hash or first root of x.
template <class Start, class Prove>
std::optional<std::vector<ProofCase>> RealCases(
    benchmark::State& state,
    RealLog& r,
    std::uint64_t lo,
    std::uint64_t seed,
    Start start,
    Prove prove
) {
    auto tx = r.db->Begin();
    if (!Ok(state, tx, "Begin")) {
        return std::nullopt;
    }
    std::vector<ProofCase> cases;
    for (std::uint64_t x : Samples(lo, r.size, seed)) {
        auto first = start(*r.log, **tx, x);
        auto proof = prove(*r.log, **tx, x, r.size);
        if (!Ok(state, first, "start") || !Ok(state, proof, "proof")) {
            return std::nullopt;
        }
        cases.push_back({x, *first, std::move(*proof)});
    }
    return cases;
}

// ledger::VerifyInclusion of proofs taken from the 10^6-leaf log.
void BM_VerifyInclusionProof(benchmark::State& state) {
    auto real = GetRealLog(static_cast<std::uint64_t>(state.range(0)));
    if (!Ok(state, real, "building the log")) {
        return;
    }
    RealLog& r = **real;
    auto cases = RealCases(
        state,
        r,
        0,
        3,
        [](Log& log, store::Transaction& tx, std::uint64_t index) -> Result<Hash256> {
            CONCORD_ASSIGN_OR_RETURN(Bytes leaf, log.Leaf(tx, index));
            return LeafHash(leaf);
        },
        [](Log& log, store::Transaction& tx, std::uint64_t index, std::uint64_t size) {
            return log.InclusionProof(tx, index, size);
        }
    );
    if (cases) {
        VerifyCases(state, *cases, [&](const ProofCase& c) {
            return VerifyInclusion(c.x, r.size, c.start, c.proof, r.root);
        });
    }
}
BENCHMARK(BM_VerifyInclusionProof)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// ledger::VerifyConsistency of proofs taken from the 10^6-leaf log.
void BM_VerifyConsistencyProof(benchmark::State& state) {
    auto real = GetRealLog(static_cast<std::uint64_t>(state.range(0)));
    if (!Ok(state, real, "building the log")) {
        return;
    }
    RealLog& r = **real;
    auto cases = RealCases(
        state,
        r,
        1,
        5,
        [](Log& log, store::Transaction& tx, std::uint64_t size1) { return log.Root(tx, size1); },
        [](Log& log, store::Transaction& tx, std::uint64_t size1, std::uint64_t size) {
            return log.ConsistencyProof(tx, size1, size);
        }
    );
    if (cases) {
        VerifyCases(state, *cases, [&](const ProofCase& c) {
            return VerifyConsistency(c.x, r.size, c.proof, c.start, r.root);
        });
    }
}
BENCHMARK(BM_VerifyConsistencyProof)->Arg(1000000)->Unit(benchmark::kMicrosecond);

// ----- proofs at 10^8 leaves over a synthetic NodeReader ---------------------------------------

// A real (self-consistent) Merkle tree of identical leaves: every perfect subtree at a level has
// the same hash, so the NodeReader is a table lookup and roots and proofs verify. It measures the
// proof algorithms with free node reads; storage cost is what BM_StorePointReadSqlite shows.
struct UniformTree {
    std::array<Hash256, 64> level_hash{};
    UniformTree() {
        level_hash[0] = LeafHash(MakeLeaves(0, 1)[0]);
        for (std::size_t l = 1; l < level_hash.size(); ++l) {
            level_hash[l] = NodeHash(level_hash[l - 1], level_hash[l - 1]);
        }
    }
    [[nodiscard]] NodeReader Reader() const {
        return [this](std::uint32_t level, std::uint64_t /*index*/) -> Result<Hash256> {
            return level_hash[level];
        };
    }
};

const UniformTree& Uniform() {
    static const UniformTree kTree;
    return kTree;
}

// Proof generation over the synthetic tree; `make(nodes, x, size)` for x drawn from [lo, size).
template <class Make>
void SyntheticProof(benchmark::State& state, std::uint64_t lo, std::uint64_t seed, Make make) {
    const auto size = static_cast<std::uint64_t>(state.range(0));
    const NodeReader nodes = Uniform().Reader();
    const auto samples = Samples(lo, size, seed);
    state.counters["node_reads"] = MeanReads(
        nodes, samples, [&](const NodeReader& n, std::uint64_t x) { return make(n, x, size); }
    );
    TimeProofs(state, samples.size(), [&](std::size_t k) -> std::optional<std::size_t> {
        auto proof = make(nodes, samples[k], size);
        if (!Ok(state, proof, "proof")) {
            return std::nullopt;
        }
        benchmark::DoNotOptimize(proof);
        return proof->size();
    });
}

// Cases over the synthetic tree: `start(x)` gives the leaf hash or first root of x.
template <class Start, class Make>
std::optional<std::vector<ProofCase>> SyntheticCases(
    benchmark::State& state,
    std::uint64_t size,
    std::uint64_t lo,
    std::uint64_t seed,
    Start start,
    Make make
) {
    const NodeReader nodes = Uniform().Reader();
    std::vector<ProofCase> cases;
    for (std::uint64_t x : Samples(lo, size, seed)) {
        auto first = start(nodes, x);
        auto proof = make(nodes, x, size);
        if (!Ok(state, first, "start") || !Ok(state, proof, "proof")) {
            return std::nullopt;
        }
        cases.push_back({x, *first, std::move(*proof)});
    }
    return cases;
}

void BM_InclusionProofSynthetic(benchmark::State& state) {
    SyntheticProof(state, 0, 6, MakeInclusionProof);
}
BENCHMARK(BM_InclusionProofSynthetic)->Arg(100000000)->Unit(benchmark::kMicrosecond);

void BM_VerifyInclusionProofSynthetic(benchmark::State& state) {
    const auto size = static_cast<std::uint64_t>(state.range(0));
    auto root = ComputeRoot(Uniform().Reader(), size);
    if (!Ok(state, root, "ComputeRoot")) {
        return;
    }
    auto cases = SyntheticCases(
        state,
        size,
        0,
        7,
        [](const NodeReader&, std::uint64_t) { return Result<Hash256>(Uniform().level_hash[0]); },
        MakeInclusionProof
    );
    if (cases) {
        VerifyCases(state, *cases, [&](const ProofCase& c) {
            return VerifyInclusion(c.x, size, c.start, c.proof, *root);
        });
    }
}
BENCHMARK(BM_VerifyInclusionProofSynthetic)->Arg(100000000)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProofSynthetic(benchmark::State& state) {
    SyntheticProof(state, 1, 8, MakeConsistencyProof);
}
BENCHMARK(BM_ConsistencyProofSynthetic)->Arg(100000000)->Unit(benchmark::kMicrosecond);

void BM_VerifyConsistencyProofSynthetic(benchmark::State& state) {
    const auto size = static_cast<std::uint64_t>(state.range(0));
    auto root2 = ComputeRoot(Uniform().Reader(), size);
    if (!Ok(state, root2, "ComputeRoot")) {
        return;
    }
    auto cases = SyntheticCases(state, size, 1, 9, ComputeRoot, MakeConsistencyProof);
    if (cases) {
        VerifyCases(state, *cases, [&](const ProofCase& c) {
            return VerifyConsistency(c.x, size, c.proof, c.start, *root2);
        });
    }
}
BENCHMARK(BM_VerifyConsistencyProofSynthetic)->Arg(100000000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace concord::ledger

int main(int argc, char** argv) {
    const int status = concord::bench::RunBenchmarks(argc, argv);
    concord::ledger::RealLogs().clear();  // close the databases before removing their files
    concord::ledger::RemoveTempDir();
    return status;
}
