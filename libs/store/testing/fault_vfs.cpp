#include "concord/store/testing/fault_vfs.hpp"

#include <atomic>
#include <mutex>

#include <sqlite3.h>

namespace concord::store::testing {
namespace {

std::atomic<bool> g_fail_next_sync{false};
/// Bytes that may still be written; negative = unlimited.
std::atomic<std::int64_t> g_write_budget{-1};
std::atomic<int> g_injected{0};

sqlite3_vfs* g_base = nullptr;  // set once under std::call_once, then read-only
sqlite3_vfs g_vfs{};

/// Our file object; the base VFS's file object follows it in the same allocation.
struct FaultFile {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* file) {
    return reinterpret_cast<FaultFile*>(file)->real;
}

int FaultClose(sqlite3_file* f) {
    return Real(f)->pMethods->xClose(Real(f));
}

int FaultRead(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
    return Real(f)->pMethods->xRead(Real(f), buffer, amount, offset);
}

int FaultWrite(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
    std::int64_t budget = g_write_budget.load();
    while (budget >= 0) {
        if (amount > budget) {
            g_write_budget.store(0);
            ++g_injected;
            return SQLITE_FULL;
        }
        if (g_write_budget.compare_exchange_weak(budget, budget - amount)) {
            break;
        }
    }
    return Real(f)->pMethods->xWrite(Real(f), buffer, amount, offset);
}

int FaultTruncate(sqlite3_file* f, sqlite3_int64 size) {
    return Real(f)->pMethods->xTruncate(Real(f), size);
}

int FaultSync(sqlite3_file* f, int flags) {
    if (g_fail_next_sync.exchange(false)) {
        ++g_injected;
        return SQLITE_IOERR_FSYNC;
    }
    return Real(f)->pMethods->xSync(Real(f), flags);
}

int FaultFileSize(sqlite3_file* f, sqlite3_int64* size) {
    return Real(f)->pMethods->xFileSize(Real(f), size);
}
int FaultLock(sqlite3_file* f, int lock) {
    return Real(f)->pMethods->xLock(Real(f), lock);
}
int FaultUnlock(sqlite3_file* f, int lock) {
    return Real(f)->pMethods->xUnlock(Real(f), lock);
}
int FaultCheckReservedLock(sqlite3_file* f, int* out) {
    return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FaultFileControl(sqlite3_file* f, int op, void* arg) {
    return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int FaultSectorSize(sqlite3_file* f) {
    return Real(f)->pMethods->xSectorSize(Real(f));
}
int FaultDeviceCharacteristics(sqlite3_file* f) {
    return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int FaultShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int FaultShmLock(sqlite3_file* f, int offset, int n, int flags) {
    return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void FaultShmBarrier(sqlite3_file* f) {
    Real(f)->pMethods->xShmBarrier(Real(f));
}
int FaultShmUnmap(sqlite3_file* f, int delete_flag) {
    return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int FaultFetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
}
int FaultUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
}

constexpr sqlite3_io_methods kFaultMethods = {
    3,
    FaultClose,
    FaultRead,
    FaultWrite,
    FaultTruncate,
    FaultSync,
    FaultFileSize,
    FaultLock,
    FaultUnlock,
    FaultCheckReservedLock,
    FaultFileControl,
    FaultSectorSize,
    FaultDeviceCharacteristics,
    FaultShmMap,
    FaultShmLock,
    FaultShmBarrier,
    FaultShmUnmap,
    FaultFetch,
    FaultUnfetch,
};

int FaultOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    auto* fault = reinterpret_cast<FaultFile*>(file);
    fault->real = reinterpret_cast<sqlite3_file*>(fault + 1);
    fault->real->pMethods = nullptr;
    int rc = g_base->xOpen(g_base, name, fault->real, flags, out_flags);
    // SQLite calls xClose exactly when pMethods is set, even after a failed open.
    const sqlite3_io_methods* real_methods = fault->real->pMethods;
    fault->base.pMethods = real_methods == nullptr       ? nullptr
                           : real_methods->iVersion >= 3 ? &kFaultMethods
                                                         : nullptr;
    if (real_methods != nullptr && real_methods->iVersion < 3) {
        real_methods->xClose(fault->real);
        return SQLITE_CANTOPEN;
    }
    return rc;
}

int FaultDelete(sqlite3_vfs*, const char* name, int sync_dir) {
    return g_base->xDelete(g_base, name, sync_dir);
}
int FaultAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
    return g_base->xAccess(g_base, name, flags, out);
}
int FaultFullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
    return g_base->xFullPathname(g_base, name, size, out);
}
void* FaultDlOpen(sqlite3_vfs*, const char* name) {
    return g_base->xDlOpen(g_base, name);
}
void FaultDlError(sqlite3_vfs*, int size, char* out) {
    g_base->xDlError(g_base, size, out);
}
void (*FaultDlSym(sqlite3_vfs*, void* handle, const char* symbol))() {
    return g_base->xDlSym(g_base, handle, symbol);
}
void FaultDlClose(sqlite3_vfs*, void* handle) {
    g_base->xDlClose(g_base, handle);
}
int FaultRandomness(sqlite3_vfs*, int size, char* out) {
    return g_base->xRandomness(g_base, size, out);
}
int FaultSleep(sqlite3_vfs*, int microseconds) {
    return g_base->xSleep(g_base, microseconds);
}
int FaultCurrentTime(sqlite3_vfs*, double* out) {
    return g_base->xCurrentTime(g_base, out);
}
int FaultGetLastError(sqlite3_vfs*, int size, char* out) {
    return g_base->xGetLastError(g_base, size, out);
}
int FaultCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
    return g_base->xCurrentTimeInt64(g_base, out);
}

}  // namespace

std::string FaultVfs::Register() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_base = sqlite3_vfs_find(nullptr);
        g_vfs.iVersion = 2;
        g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_base->szOsFile;
        g_vfs.mxPathname = g_base->mxPathname;
        g_vfs.zName = kName;
        g_vfs.xOpen = FaultOpen;
        g_vfs.xDelete = FaultDelete;
        g_vfs.xAccess = FaultAccess;
        g_vfs.xFullPathname = FaultFullPathname;
        g_vfs.xDlOpen = FaultDlOpen;
        g_vfs.xDlError = FaultDlError;
        g_vfs.xDlSym = FaultDlSym;
        g_vfs.xDlClose = FaultDlClose;
        g_vfs.xRandomness = FaultRandomness;
        g_vfs.xSleep = FaultSleep;
        g_vfs.xCurrentTime = FaultCurrentTime;
        g_vfs.xGetLastError = FaultGetLastError;
        g_vfs.xCurrentTimeInt64 = FaultCurrentTimeInt64;
        sqlite3_vfs_register(&g_vfs, 0);
    });
    return kName;
}

void FaultVfs::FailNextSync() {
    g_fail_next_sync.store(true);
}

void FaultVfs::FailWritesAfter(std::int64_t bytes) {
    g_write_budget.store(bytes < 0 ? 0 : bytes);
}

void FaultVfs::Reset() {
    g_fail_next_sync.store(false);
    g_write_budget.store(-1);
}

int FaultVfs::InjectedFaults() {
    return g_injected.load();
}

}  // namespace concord::store::testing
