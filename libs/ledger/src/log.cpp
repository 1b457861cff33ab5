#include "concord/ledger/log.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "concord/core/assert.hpp"

namespace concord::ledger {
namespace {

// Rows per multi-row INSERT: fewer round trips on PostgreSQL, fewer statement steps on SQLite.
constexpr std::size_t kInsertChunk = 64;
// Rows per page when VerifyAll scans the log.
constexpr std::int64_t kScanPage = 4096;

std::string InsertSql(std::size_t rows) {
    std::string sql = "INSERT INTO ledger_entries (idx, data, hashes) VALUES ";
    for (std::size_t i = 0; i < rows; ++i) {
        if (i != 0) {
            sql += ", ";
        }
        std::size_t p = 3 * i;
        sql += "($" + std::to_string(p + 1) + ", $" + std::to_string(p + 2) + ", $" +
               std::to_string(p + 3) + ")";
    }
    return sql;
}

std::int64_t ToSql(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}

Error Corrupt(std::string what) {
    return MakeError(ErrorCode::kCorruption, "ledger: " + std::move(what));
}

// Row of the leaf that completes node (level, index), and the node's offset in that row's hashes.
std::uint64_t NodeRow(std::uint32_t level, std::uint64_t index) {
    return ((index + 1) << level) - 1;
}

}  // namespace

std::vector<store::Migration> Log::Migrations() {
    return {store::Migration{
        "ledger",
        1,
        // SQLite: INTEGER PRIMARY KEY makes idx the rowid (no second index).
        "CREATE TABLE ledger_entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL, "
        "hashes BLOB NOT NULL);"
        "CREATE TABLE ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL);"
        "INSERT INTO ledger_head (id, size) VALUES (1, 0);"
        "CREATE TABLE ledger_checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL);",
        "CREATE TABLE ledger_entries (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL, "
        "hashes BYTEA NOT NULL);"
        "CREATE TABLE ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL);"
        "INSERT INTO ledger_head (id, size) VALUES (1, 0);"
        "CREATE TABLE ledger_checkpoints (size BIGINT PRIMARY KEY, note TEXT NOT NULL);",
    }};
}

Result<std::unique_ptr<Log>> Log::Open(store::Store& store) {
    auto migrations = Migrations();
    CONCORD_RETURN_IF_ERROR(store.Migrate(migrations));
    return std::make_unique<Log>();
}

NodeReader Log::Nodes(store::Transaction& tx) {
    return [&tx](std::uint32_t level, std::uint64_t index) -> Result<Hash256> {
        std::uint64_t row = NodeRow(level, index);
        CONCORD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("SELECT hashes FROM ledger_entries WHERE idx = $1", {ToSql(row)})
        );
        if (rows.empty()) {
            return Corrupt("missing entry " + std::to_string(row));
        }
        const Bytes& hashes = rows[0].Blob(0);
        std::size_t offset = std::size_t{32} * level;
        if (hashes.size() < offset + 32) {
            return Corrupt(
                "entry " + std::to_string(row) + " lacks the node at level " + std::to_string(level)
            );
        }
        Hash256 h;
        std::copy_n(hashes.begin() + static_cast<std::ptrdiff_t>(offset), 32, h.begin());
        return h;
    };
}

Result<Frontier> Log::LoadFrontier(store::Transaction& tx, std::uint64_t size) {
    NodeReader nodes = Nodes(tx);
    std::vector<std::pair<std::uint32_t, Hash256>> parts;
    std::uint64_t pos = 0;
    for (int bit = 63; bit >= 0; --bit) {
        std::uint64_t span = std::uint64_t{1} << bit;
        if ((size & span) == 0) {
            continue;
        }
        auto level = static_cast<std::uint32_t>(bit);
        CONCORD_ASSIGN_OR_RETURN(Hash256 h, nodes(level, pos >> level));
        parts.emplace_back(level, h);
        pos += span;
    }
    return Frontier::FromNodes(size, std::move(parts));
}

Result<std::uint64_t> Log::Size(store::Transaction& tx) {
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT size FROM ledger_head WHERE id = 1"));
    if (rows.empty() || rows[0].Int(0) < 0) {
        return Corrupt("missing or negative head");
    }
    return static_cast<std::uint64_t>(rows[0].Int(0));
}

Result<Log::Appended> Log::Append(store::Transaction& tx, ByteSpan leaf) {
    Bytes one(leaf.begin(), leaf.end());
    return Append(tx, std::span<const Bytes>(&one, 1));
}

Result<Log::Appended> Log::Append(store::Transaction& tx, std::span<const Bytes> leaves) {
    if (leaves.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "ledger: nothing to append");
    }
    // Taking the head row first serialises appenders across processes (PostgreSQL row lock).
    CONCORD_ASSIGN_OR_RETURN(
        auto head,
        tx.Query(
            "UPDATE ledger_head SET size = size + $1 WHERE id = 1 RETURNING size",
            {ToSql(leaves.size())}
        )
    );
    if (head.empty()) {
        return Corrupt("missing head");
    }
    auto new_size = static_cast<std::uint64_t>(head[0].Int(0));
    if (new_size < leaves.size()) {
        return Corrupt("head size is smaller than the append");
    }
    std::uint64_t old_size = new_size - leaves.size();

    std::optional<Frontier> frontier;
    {
        MutexLock lock(mu_);
        if (committed_ && committed_->Size() == old_size) {
            frontier = committed_;
        }
    }
    if (!frontier) {
        CONCORD_ASSIGN_OR_RETURN(Frontier loaded, LoadFrontier(tx, old_size));
        frontier = std::move(loaded);
    }

    std::vector<store::Value> params;
    params.reserve(3 * std::min(leaves.size(), kInsertChunk));
    std::uint64_t index = old_size;
    for (std::size_t i = 0; i < leaves.size(); ++i, ++index) {
        Hash256 leaf_hash = LeafHash(leaves[i]);
        std::vector<Hash256> completed = frontier->Append(leaf_hash);
        Bytes hashes;
        hashes.reserve(32 * (1 + completed.size()));
        hashes.insert(hashes.end(), leaf_hash.begin(), leaf_hash.end());
        for (const Hash256& h : completed) {
            hashes.insert(hashes.end(), h.begin(), h.end());
        }
        params.emplace_back(ToSql(index));
        params.emplace_back(leaves[i]);
        params.emplace_back(std::move(hashes));
        if (params.size() == 3 * kInsertChunk || i + 1 == leaves.size()) {
            CONCORD_ASSIGN_OR_RETURN(
                std::int64_t changed, tx.Execute(InsertSql(params.size() / 3), params)
            );
            if (changed != static_cast<std::int64_t>(params.size() / 3)) {
                return MakeError(
                    ErrorCode::kInternal, "ledger: insert changed an unexpected row count"
                );
            }
            params.clear();
        }
    }
    CONCORD_ASSERT(frontier->Size() == new_size);

    Appended out{old_size, new_size, frontier->Root()};
    tx.OnCommit([this, f = std::move(*frontier)]() mutable {
        MutexLock lock(mu_);
        committed_ = std::move(f);
    });
    return out;
}

Result<void> Log::CheckWithinSize(store::Transaction& tx, std::uint64_t size) {
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t current, Size(tx));
    if (size > current) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "ledger: size " + std::to_string(size) + " exceeds tree size " + std::to_string(current)
        );
    }
    return {};
}

Result<Hash256> Log::Root(store::Transaction& tx, std::uint64_t size) {
    CONCORD_RETURN_IF_ERROR(CheckWithinSize(tx, size));
    return ComputeRoot(Nodes(tx), size);
}

Result<Bytes> Log::Leaf(store::Transaction& tx, std::uint64_t index) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT data FROM ledger_entries WHERE idx = $1", {ToSql(index)})
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kNotFound, "ledger: no entry " + std::to_string(index));
    }
    return rows[0].Blob(0);
}

Result<std::vector<Hash256>> Log::InclusionProof(
    store::Transaction& tx, std::uint64_t index, std::uint64_t size
) {
    CONCORD_RETURN_IF_ERROR(CheckWithinSize(tx, size));
    return MakeInclusionProof(Nodes(tx), index, size);
}

Result<std::vector<Hash256>> Log::ConsistencyProof(
    store::Transaction& tx, std::uint64_t size1, std::uint64_t size2
) {
    CONCORD_RETURN_IF_ERROR(CheckWithinSize(tx, size2));
    return MakeConsistencyProof(Nodes(tx), size1, size2);
}

Result<std::string> Log::MakeCheckpoint(
    store::Transaction& tx, const NoteSigner& signer, std::string_view origin
) {
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, Size(tx));
    return MakeCheckpoint(tx, signer, origin, size);
}

Result<std::string> Log::MakeCheckpoint(
    store::Transaction& tx, const NoteSigner& signer, std::string_view origin, std::uint64_t size
) {
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t current, Size(tx));
    if (size > current) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "ledger: checkpoint size " + std::to_string(size) + " exceeds the log size " +
                std::to_string(current)
        );
    }
    CONCORD_ASSIGN_OR_RETURN(Hash256 root, ComputeRoot(Nodes(tx), size));
    Checkpoint cp{std::string(origin), size, root, {}};
    const NoteSigner* signers[] = {&signer};
    CONCORD_ASSIGN_OR_RETURN(std::string note, SignNote(cp.Body(), signers));
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO ledger_checkpoints (size, note) VALUES ($1, $2) ON CONFLICT (size) DO NOTHING",
        {ToSql(size), note}
    ));
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT note FROM ledger_checkpoints WHERE size = $1", {ToSql(size)})
    );
    if (rows.empty()) {
        return MakeError(ErrorCode::kInternal, "ledger: checkpoint vanished");
    }
    return rows[0].Text(0);
}

Result<std::optional<std::string>> Log::LatestCheckpoint(store::Transaction& tx) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1")
    );
    if (rows.empty()) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>(rows[0].Text(0));
}

Result<Log::Verification> Log::VerifyAll(
    store::Transaction& tx, std::span<const NoteVerifier> keys
) {
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t size, Size(tx));
    CONCORD_ASSIGN_OR_RETURN(
        auto cp_rows, tx.Query("SELECT size, note FROM ledger_checkpoints ORDER BY size")
    );
    struct Pending {
        std::uint64_t size;
        Hash256 root;
    };
    std::vector<Pending> checkpoints;
    for (const store::Row& row : cp_rows) {
        auto verified = VerifyNote(row.Text(1), keys);
        if (!verified) {
            return MakeError(
                verified.error().code,
                "ledger: checkpoint at size " + std::to_string(row.Int(0)) + ": " +
                    verified.error().message
            );
        }
        CONCORD_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(verified->note.text));
        if (cp.size != static_cast<std::uint64_t>(row.Int(0)) || cp.size > size) {
            return Corrupt(
                "checkpoint row " + std::to_string(row.Int(0)) + " names size " +
                std::to_string(cp.size)
            );
        }
        checkpoints.push_back({cp.size, cp.root});
    }

    Frontier frontier;
    std::size_t next_cp = 0;
    auto check_checkpoints = [&]() -> Result<void> {
        while (next_cp < checkpoints.size() && checkpoints[next_cp].size == frontier.Size()) {
            if (checkpoints[next_cp].root != frontier.Root()) {
                return Corrupt(
                    "root at size " + std::to_string(frontier.Size()) +
                    " differs from its signed checkpoint"
                );
            }
            ++next_cp;
        }
        return {};
    };
    CONCORD_RETURN_IF_ERROR(check_checkpoints());
    std::uint64_t index = 0;
    while (index < size) {
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(
                "SELECT idx, data, hashes FROM ledger_entries WHERE idx >= $1 ORDER BY idx LIMIT "
                "$2",
                {ToSql(index), std::int64_t{kScanPage}}
            )
        );
        if (rows.empty()) {
            return Corrupt("entry " + std::to_string(index) + " is missing");
        }
        for (const store::Row& row : rows) {
            if (index >= size) {
                return Corrupt("entry " + std::to_string(row.Int(0)) + " beyond the head size");
            }
            if (static_cast<std::uint64_t>(row.Int(0)) != index) {
                return Corrupt("entry " + std::to_string(index) + " is missing");
            }
            Hash256 leaf_hash = LeafHash(row.Blob(1));
            std::vector<Hash256> completed = frontier.Append(leaf_hash);
            const Bytes& stored = row.Blob(2);
            if (stored.size() != 32 * (1 + completed.size())) {
                return Corrupt("entry " + std::to_string(index) + " has a wrong hash count");
            }
            if (!std::equal(leaf_hash.begin(), leaf_hash.end(), stored.begin())) {
                return Corrupt(
                    "entry " + std::to_string(index) + ": leaf hash does not match data"
                );
            }
            for (std::size_t l = 0; l < completed.size(); ++l) {
                auto at = stored.begin() + static_cast<std::ptrdiff_t>(32 * (l + 1));
                if (!std::equal(completed[l].begin(), completed[l].end(), at)) {
                    return Corrupt(
                        "entry " + std::to_string(index) + ": node at level " +
                        std::to_string(l + 1) + " does not match its children"
                    );
                }
            }
            ++index;
            CONCORD_RETURN_IF_ERROR(check_checkpoints());
        }
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto beyond, tx.Query("SELECT COUNT(*) FROM ledger_entries WHERE idx >= $1", {ToSql(size)})
    );
    if (!beyond.empty() && beyond[0].Int(0) != 0) {
        return Corrupt("entries exist beyond the head size");
    }
    Verification out;
    out.size = size;
    out.root = frontier.Root();
    out.checkpoints = checkpoints.size();
    out.latest_checkpoint = checkpoints.empty() ? 0 : checkpoints.back().size;
    return out;
}

}  // namespace concord::ledger
