#pragma once

#include <cstdint>
#include <string>

namespace concord::store::testing {

/// A SQLite VFS for fault-injection tests. It wraps the default VFS and, when armed, fails the
/// next xSync with SQLITE_IOERR_FSYNC or fails writes with SQLITE_FULL once a byte budget is
/// spent. Open a store on it with StoreOptions::sqlite_vfs = FaultVfs::Register().
///
/// The armed faults are process-wide (they apply to every file opened through this VFS).
/// Thread-safe.
class FaultVfs {
public:
    /// The name the VFS is registered under.
    static constexpr const char* kName = "concord_fault";

    /// Registers the VFS with SQLite (once; later calls do nothing) and returns kName.
    static std::string Register();
    /// Makes the next xSync on any file of this VFS fail with SQLITE_IOERR_FSYNC (one time).
    static void FailNextSync();
    /// Lets `bytes` more bytes be written, then fails every write with SQLITE_FULL.
    static void FailWritesAfter(std::int64_t bytes);
    /// Disarms all faults.
    static void Reset();
    /// How many faults have been injected since the process started.
    static int InjectedFaults();
};

}  // namespace concord::store::testing
