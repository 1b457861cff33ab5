#include "concord/ledger/witness.hpp"

#include <algorithm>

namespace concord::ledger {
namespace {
std::int64_t ToSql(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}
}  // namespace

std::vector<store::Migration> Witness::Migrations() {
    return {store::Migration{
        "witness",
        1,
        "CREATE TABLE witness_state (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, "
        "root BLOB NOT NULL, checkpoint TEXT NOT NULL);",
        "CREATE TABLE witness_state (origin TEXT PRIMARY KEY, size BIGINT NOT NULL, "
        "root BYTEA NOT NULL, checkpoint TEXT NOT NULL);",
    }};
}

namespace {

std::vector<WitnessedLog> NamedAfterTheirOrigin(std::vector<NoteVerifier> keys) {
    std::vector<WitnessedLog> logs;
    for (auto& key : keys) {
        std::string origin = key.name;
        logs.push_back(WitnessedLog{std::move(origin), std::move(key)});
    }
    return logs;
}

}  // namespace

Result<std::unique_ptr<Witness>> Witness::Open(
    store::Store& store,
    Cosigner cosigner,
    std::vector<NoteVerifier> logs,
    std::function<std::uint64_t()> now
) {
    return Open(store, std::move(cosigner), NamedAfterTheirOrigin(std::move(logs)), std::move(now));
}

Result<std::unique_ptr<Witness>> Witness::Open(
    store::Store& store,
    Cosigner cosigner,
    std::vector<WitnessedLog> logs,
    std::function<std::uint64_t()> now
) {
    auto migrations = Migrations();
    CONCORD_RETURN_IF_ERROR(store.Migrate(migrations));
    return std::make_unique<Witness>(store, std::move(cosigner), std::move(logs), std::move(now));
}

Witness::Witness(
    store::Store& store,
    Cosigner cosigner,
    std::vector<NoteVerifier> logs,
    std::function<std::uint64_t()> now
)
    : Witness(store, std::move(cosigner), NamedAfterTheirOrigin(std::move(logs)), std::move(now)) {}

Witness::Witness(
    store::Store& store,
    Cosigner cosigner,
    std::vector<WitnessedLog> logs,
    std::function<std::uint64_t()> now
)
    : store_(store), cosigner_(std::move(cosigner)), logs_(std::move(logs)), now_(std::move(now)) {}

Result<std::optional<Witness::State>> Witness::Latest(std::string_view origin) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT size, root, checkpoint FROM witness_state WHERE origin = $1",
            {std::string(origin)}
        )
    );
    if (rows.empty()) {
        return std::optional<State>();
    }
    CONCORD_ASSIGN_OR_RETURN(Hash256 root, HashFromBytes(rows[0].Blob(1)));
    return std::optional<State>(State{
        static_cast<std::uint64_t>(rows[0].Int(0)), root, rows[0].Text(2)});
}

Result<std::string> Witness::AddCheckpoint(
    std::uint64_t old_size, std::span<const Hash256> proof, std::string_view checkpoint_note
) {
    CONCORD_ASSIGN_OR_RETURN(Note parsed, ParseNote(checkpoint_note));
    CONCORD_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(parsed.text));
    std::vector<NoteVerifier> keys;
    for (const WitnessedLog& log : logs_) {
        if (log.origin == cp.origin) {
            keys.push_back(log.key);
        }
    }
    if (keys.empty()) {
        return MakeError(ErrorCode::kNotFound, "witness: unknown log origin " + cp.origin);
    }
    CONCORD_ASSIGN_OR_RETURN(VerifiedNote verified, VerifyNote(std::move(parsed), keys));

    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT size, root FROM witness_state WHERE origin = $1", {cp.origin})
    );
    std::uint64_t known_size = 0;
    Hash256 known_root = EmptyRoot();
    if (!rows.empty()) {
        known_size = static_cast<std::uint64_t>(rows[0].Int(0));
        CONCORD_ASSIGN_OR_RETURN(known_root, HashFromBytes(rows[0].Blob(1)));
    }
    if (old_size != known_size) {
        return MakeError(
            ErrorCode::kAlreadyExists,
            "witness: conflict: last cosigned size for " + cp.origin + " is " +
                std::to_string(known_size)
        );
    }
    if (cp.size < known_size) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "witness: refusing size " + std::to_string(cp.size) + " below cosigned size " +
                std::to_string(known_size)
        );
    }
    if (cp.size == known_size && cp.root != known_root) {
        return MakeError(
            ErrorCode::kCorruption,
            "witness: fork: " + cp.origin + " shows a different root at cosigned size " +
                std::to_string(known_size)
        );
    }
    // Growth from the empty tree needs no proof (C2SP tlog-witness); otherwise RFC 9162.
    if (known_size == 0) {
        if (!proof.empty()) {
            return MakeError(
                ErrorCode::kUnauthenticated, "witness: proof from the empty tree must be empty"
            );
        }
    } else {
        auto consistent = VerifyConsistency(known_size, cp.size, proof, known_root, cp.root);
        if (!consistent) {
            return MakeError(
                ErrorCode::kUnauthenticated,
                "witness: consistency proof from size " + std::to_string(known_size) +
                    " failed: " + consistent.error().message
            );
        }
    }

    std::string note(checkpoint_note);
    Bytes root(cp.root.begin(), cp.root.end());
    if (rows.empty()) {
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO witness_state (origin, size, root, checkpoint) VALUES ($1, $2, $3, $4)",
            {cp.origin, ToSql(cp.size), root, note}
        ));
    } else {
        CONCORD_ASSIGN_OR_RETURN(
            std::int64_t changed,
            tx->Execute(
                "UPDATE witness_state SET size = $1, root = $2, checkpoint = $3 "
                "WHERE origin = $4 AND size = $5",
                {ToSql(cp.size), root, note, cp.origin, ToSql(known_size)}
            )
        );
        if (changed != 1) {
            return MakeError(ErrorCode::kAlreadyExists, "witness: conflict: state changed");
        }
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return cosigner_.SignatureLine(verified.note.text, now_());
}

}  // namespace concord::ledger
