#pragma once

#include <string>

namespace concord::federation::internal {

/// The federation tables (docs/formats/store.md §federation). `big` is the 64-bit integer type
/// ("INTEGER" on SQLite, "BIGINT" on PostgreSQL), `serial` the auto-increment key column.
inline std::string FederationSchema(const std::string& big, const std::string& serial) {
    return "CREATE TABLE fed_messages (direction TEXT NOT NULL, id TEXT NOT NULL, "
           "peer TEXT NOT NULL, type TEXT NOT NULL, priority TEXT NOT NULL, "
           "in_reply_to TEXT NOT NULL, time TEXT NOT NULL, body TEXT NOT NULL, "
           "envelope TEXT NOT NULL, envelope_sha256 TEXT NOT NULL, status TEXT NOT NULL, "
           "attempts " +
           big +
           " NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', "
           "ledger_index " +
           big + " NOT NULL, created_ms " + big + " NOT NULL, opened_ms " + big +
           ", receiver_proof TEXT NOT NULL DEFAULT '', receiver_leaf TEXT NOT NULL DEFAULT '', "
           "PRIMARY KEY (direction, peer, id));"
           "CREATE INDEX fed_messages_list ON fed_messages (direction, id);"
           "CREATE TABLE fed_outbox (id TEXT PRIMARY KEY, recipient TEXT NOT NULL, "
           "lane " +
           big + " NOT NULL, next_attempt_ms " + big + " NOT NULL, horizon_ms " + big +
           " NOT NULL, created_ms " + big +
           " NOT NULL);"
           "CREATE INDEX fed_outbox_due ON fed_outbox (lane, next_attempt_ms);"
           "CREATE TABLE fed_evidence (direction TEXT NOT NULL, message_id TEXT NOT NULL, "
           "event TEXT NOT NULL, record TEXT NOT NULL, created_ms " +
           big +
           " NOT NULL, "
           "PRIMARY KEY (direction, message_id, event));"
           "CREATE TABLE fed_seen (sender TEXT NOT NULL, id TEXT NOT NULL, "
           "envelope_sha256 TEXT NOT NULL, receipt TEXT NOT NULL, ledger_index " +
           big + " NOT NULL, expires_ms " + big +
           " NOT NULL, PRIMARY KEY (sender, id));"
           "CREATE INDEX fed_seen_expiry ON fed_seen (expires_ms);"
           "CREATE TABLE fed_alerts (seq " +
           serial +
           ", kind TEXT NOT NULL, peer TEXT NOT NULL, "
           "message TEXT NOT NULL, evidence TEXT NOT NULL, created_ms " +
           big + " NOT NULL);";
}

/// Version 2: the highest directory serial this node has accepted (one row), so that a restart or a
/// reload with an older directory file is refused (docs/protocol.md §8); and the cosignatures
/// witnesses sent back for this node's checkpoints (published by GET /fed/v1/checkpoint).
inline std::string DirectorySchema(const std::string& big) {
    return "CREATE TABLE fed_directory (singleton " + big +
           " PRIMARY KEY CHECK (singleton = 1), serial " + big +
           " NOT NULL, sha256 TEXT NOT NULL, loaded_ms " + big +
           " NOT NULL);"
           "CREATE TABLE fed_cosignatures (size " +
           big +
           " NOT NULL, witness TEXT NOT NULL, note TEXT NOT NULL, line TEXT NOT NULL, "
           "created_ms " +
           big + " NOT NULL, PRIMARY KEY (size, witness));";
}

}  // namespace concord::federation::internal
