#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/ledger/merkle.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

namespace concord::ledger {

/// A C2SP tlog-witness: cosigns (tlog-cosignature v1) a log's checkpoint only after verifying a
/// consistency proof from the last checkpoint it cosigned for that origin. Its state per origin
/// (size, root, checkpoint) is kept in the Store, so a restart does not make it forget: it never
/// cosigns a smaller tree or a fork, before or after a restart.
///
/// Thread-safety: thread-safe (each call is one store transaction; concurrent calls for the same
/// origin are serialised by a compare-and-swap on the stored state).
/// A log a witness follows: its checkpoint origin and a key of the log. The key's name may differ
/// from the origin (C2SP tlog-checkpoint: it SHOULD match, and real logs such as Go's checksum
/// database do not).
struct WitnessedLog {
    std::string origin;
    NoteVerifier key;
};

class Witness {
public:
    /// The schema of component "witness".
    static std::vector<store::Migration> Migrations();

    /// `logs`: the verifier keys of the logs this witness follows; a checkpoint's origin must be
    /// the name of one of them. `now` returns seconds since the epoch (injected for tests).
    /// Applies the migrations. The Store must outlive the Witness.
    static Result<std::unique_ptr<Witness>> Open(
        store::Store& store,
        Cosigner cosigner,
        std::vector<NoteVerifier> logs,
        std::function<std::uint64_t()> now
    );

    /// As above, with each log's origin given apart from its key's name.
    static Result<std::unique_ptr<Witness>> Open(
        store::Store& store,
        Cosigner cosigner,
        std::vector<WitnessedLog> logs,
        std::function<std::uint64_t()> now
    );

    Witness(
        store::Store& store,
        Cosigner cosigner,
        std::vector<NoteVerifier> logs,
        std::function<std::uint64_t()> now
    );
    Witness(
        store::Store& store,
        Cosigner cosigner,
        std::vector<WitnessedLog> logs,
        std::function<std::uint64_t()> now
    );

    /// The tlog-witness add-checkpoint operation. `old_size` is the size the log believes this
    /// witness last cosigned, `proof` the consistency proof from it to the new checkpoint.
    /// Returns the cosignature line, only after the new state is durably committed.
    /// Errors: kNotFound unknown origin; kUnauthenticated bad log signature or the proof does not
    /// verify; kAlreadyExists old_size differs from the stored size (message carries the stored
    /// size, as tlog-witness's 409); kInvalidArgument a smaller tree than the stored one or a
    /// malformed checkpoint; kCorruption same size but a different root (a fork: evidence kept
    /// in the error message).
    Result<std::string> AddCheckpoint(
        std::uint64_t old_size, std::span<const Hash256> proof, std::string_view checkpoint_note
    );

    /// What the witness has cosigned for `origin` last.
    struct State {
        std::uint64_t size{0};
        Hash256 root{};
        std::string checkpoint;  ///< the log-signed note it cosigned
    };
    Result<std::optional<State>> Latest(std::string_view origin);

    [[nodiscard]] NoteVerifier Verifier() const { return cosigner_.Verifier(); }

private:
    store::Store& store_;
    Cosigner cosigner_;
    std::vector<WitnessedLog> logs_;
    std::function<std::uint64_t()> now_;
};

}  // namespace concord::ledger
