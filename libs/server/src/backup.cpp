// Backup and restore of a node (docs/operations.md "Backups"). A backup folder:
//   backup.json     what the backup holds: every file with its size and SHA-256, the log head,
//                   the packages whose blobs it holds (written last: no backup.json, no backup)
//   backup.sig      the node's Ed25519 signature over backup.json, base64
//   store.sqlite | store.pgdump        the store (Store::BackupTo)
//   keys/node.key, keys/tls.crt, keys/tls.key
//   blobs/ADDRESS   each encrypted evidence blob, named by its SHA-256
// Restore reads only these names: a hostile backup.json cannot make it read or write elsewhere.

#include "concord/server/backup.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <boost/json.hpp>

#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_backup.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/file.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/server/init.hpp"
#include "concord/store/store.hpp"

#include "service_impl.hpp"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concord::server {
namespace {

constexpr std::string_view kFormat = "concord-backup/1";
constexpr std::string_view kManifestName = "backup.json";
constexpr std::string_view kSignatureName = "backup.sig";
/// The largest backup.json read: about two million packages.
constexpr std::uintmax_t kMaxManifestBytes = 256U << 20U;
constexpr std::size_t kCopyChunk = 1U << 20U;

/// The key files a backup holds: its name in the backup and the config member naming it.
struct KeyEntry {
    std::string_view name;
    std::filesystem::path Config::*path;
};
constexpr std::array<KeyEntry, 3> kKeys{{
    {"keys/node.key", &Config::key_file},
    {"keys/tls.crt", &Config::tls_cert},
    {"keys/tls.key", &Config::tls_key},
}};

std::string_view StoreName(store::Backend backend) {
    return backend == store::Backend::kSqlite ? "store.sqlite" : "store.pgdump";
}
std::string_view BackendName(store::Backend backend) {
    return backend == store::Backend::kSqlite ? "sqlite" : "postgres";
}

Error Corrupt(std::string message) {
    return MakeError(ErrorCode::kCorruption, "backup: " + std::move(message));
}

struct FileFacts {
    std::uint64_t size{0};
    std::string sha256;
};

using Reader = std::function<Result<std::size_t>(std::span<std::uint8_t>)>;

/// Reads `read` to its end, hashing what passes, and writes it to `fd` unless it is negative.
Result<FileFacts> Pump(const Reader& read, int fd, const std::filesystem::path& path) {
    crypto::Sha256Hasher hasher;
    std::vector<std::uint8_t> buffer(kCopyChunk);
    FileFacts facts;
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, read(buffer));
        if (n == 0) {
            break;
        }
        const ByteSpan piece(buffer.data(), n);
        hasher.Update(piece);
        if (fd >= 0) {
            CONCORD_RETURN_IF_ERROR(WriteAll(fd, piece, path));
        }
        facts.size += n;
    }
    const auto digest = hasher.Finish();
    facts.sha256 = HexEncode(ByteSpan(digest.data(), digest.size()));
    return facts;
}

/// Streams `read` to the new file `path` (0600, fsynced), hashing what passes.
Result<FileFacts> CopyStream(const Reader& read, const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.Get() < 0) {
        return FileErrnoError(path, "open", errno);
    }
    CONCORD_ASSIGN_OR_RETURN(FileFacts facts, Pump(read, fd.Get(), path));
    if (::fsync(fd.Get()) != 0) {
        return FileErrnoError(path, "fsync", errno);
    }
    if (fd.Close() != 0) {
        return FileErrnoError(path, "close", errno);
    }
    return facts;
}

/// A reader of the regular file `path` (never through a symbolic link, never a device or a
/// pipe), for CopyStream and HashFile.
class FileReader {
public:
    static Result<FileReader> Open(const std::filesystem::path& path) {
        FileReader r(path, ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (r.fd_->Get() < 0) {
            return FileErrnoError(path, "open", errno);
        }
        struct stat st {};
        if (::fstat(r.fd_->Get(), &st) != 0) {
            return FileErrnoError(path, "stat", errno);
        }
        if (!S_ISREG(st.st_mode)) {
            return Corrupt("'" + path.string() + "' is not a regular file");
        }
        r.size_ = static_cast<std::uint64_t>(st.st_size);
        return r;
    }
    Result<std::size_t> operator()(std::span<std::uint8_t> out) {
        for (;;) {
            const ssize_t n = ::read(fd_->Get(), out.data(), out.size());
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) {
                return FileErrnoError(path_, "read", errno);
            }
        }
    }
    /// Its size when it was opened.
    [[nodiscard]] std::uint64_t Size() const { return size_; }

private:
    FileReader(std::filesystem::path path, int fd)
        : path_(std::move(path)), fd_(std::make_shared<UniqueFd>(fd)) {}
    std::filesystem::path path_;
    std::shared_ptr<UniqueFd> fd_;
    std::uint64_t size_{0};
};

Result<FileFacts> HashFile(const std::filesystem::path& path) {
    CONCORD_ASSIGN_OR_RETURN(FileReader reader, FileReader::Open(path));
    return Pump([&reader](std::span<std::uint8_t> o) { return reader(o); }, -1, path);
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path, std::uintmax_t limit) {
    CONCORD_ASSIGN_OR_RETURN(FileReader reader, FileReader::Open(path));
    if (reader.Size() > limit) {
        return Corrupt(
            "'" + path.string() + "' is larger than " + std::to_string(limit) + " bytes"
        );
    }
    std::string text;
    std::vector<std::uint8_t> buffer(kCopyChunk);
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, reader(buffer));
        if (n == 0) {
            return text;
        }
        text.append(reinterpret_cast<const char*>(buffer.data()), n);
        if (text.size() > limit) {
            return Corrupt("'" + path.string() + "' grew past " + std::to_string(limit) + " bytes");
        }
    }
}

boost::json::object FileEntry(std::string_view name, const FileFacts& facts) {
    return {
        {"path", name}, {"size", static_cast<std::int64_t>(facts.size)}, {"sha256", facts.sha256}};
}

Result<federation::NodeKeys> OpenKeyFile(const Config& config, const std::filesystem::path& file) {
    CONCORD_ASSIGN_OR_RETURN(std::string passphrase, NodePassphrase(config));
    return LoadNodeKeys(file, passphrase);
}

/// Creates the private folder `path` (0700).
Result<void> MakePrivateFolder(const std::filesystem::path& path) {
    if (::mkdir(path.c_str(), 0700) != 0) {
        return FileErrnoError(path, "mkdir", errno);
    }
    if (::chmod(path.c_str(), 0700) != 0) {
        return FileErrnoError(path, "chmod", errno);
    }
    return {};
}

/// Makes the entries of the folder `path` durable.
Result<void> SyncFolder(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.Get() < 0 || ::fsync(fd.Get()) != 0) {
        return FileErrnoError(path, "fsync", errno);
    }
    return {};
}

/// Backs up into `out`, which the caller removes on failure.
Result<BackupReport> WriteBackup(const Config& config, const std::filesystem::path& out) {
    CONCORD_ASSIGN_OR_RETURN(federation::NodeKeys keys, OpenKeyFile(config, config.key_file));
    CONCORD_ASSIGN_OR_RETURN(auto store, OpenStore(config));
    CONCORD_ASSIGN_OR_RETURN(auto log, ledger::Log::Open(*store));
    BackupReport report;
    {
        // The log head before the copy: the copy holds at least this much of it.
        CONCORD_ASSIGN_OR_RETURN(auto tx, store->Begin());
        CONCORD_ASSIGN_OR_RETURN(report.ledger_size, log->Size(*tx));
        CONCORD_ASSIGN_OR_RETURN(auto root, log->Root(*tx, report.ledger_size));
        report.ledger_root = HexEncode(ByteSpan(root.data(), root.size()));
        tx->Rollback();
    }
    boost::json::array files;
    const std::string store_name(StoreName(store->Backend()));
    CONCORD_RETURN_IF_ERROR(store->BackupTo(out / store_name));
    if (::chmod((out / store_name).c_str(), 0600) != 0) {
        return FileErrnoError(out / store_name, "chmod", errno);
    }
    CONCORD_ASSIGN_OR_RETURN(FileFacts store_facts, HashFile(out / store_name));
    files.push_back(FileEntry(store_name, store_facts));

    CONCORD_RETURN_IF_ERROR(MakePrivateFolder(out / "keys"));
    for (const KeyEntry& key : kKeys) {
        const std::filesystem::path& source = config.*key.path;
        if (source.empty()) {
            continue;
        }
        CONCORD_ASSIGN_OR_RETURN(FileReader reader, FileReader::Open(source));
        CONCORD_ASSIGN_OR_RETURN(
            FileFacts facts,
            CopyStream([&reader](std::span<std::uint8_t> o) { return reader(o); }, out / key.name)
        );
        files.push_back(FileEntry(key.name, facts));
    }

    // The packages listed after the copy: every package of the copy is among them or was
    // shredded meanwhile (its retention ended: the restored node shreds it again at start).
    std::vector<app::PackageBlobs> kept;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store->Begin());
        CONCORD_ASSIGN_OR_RETURN(kept, app::ListPackageBlobs(*tx));
        tx->Rollback();
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto blobs, app::DirectoryBlobStore::OpenFolder(config.evidence_blob_dir)
    );
    CONCORD_RETURN_IF_ERROR(MakePrivateFolder(out / "blobs"));
    boost::json::array packages;
    std::vector<std::string> missing;
    std::set<std::string> copied;
    for (const app::PackageBlobs& p : kept) {
        boost::json::array addresses;
        bool complete = true;
        for (const std::string& address : p.blobs) {
            if (copied.count(address) != 0) {
                addresses.push_back(boost::json::string(address));
                continue;
            }
            auto reader = blobs->Open(address);
            if (!reader && reader.error().code == ErrorCode::kNotFound) {
                if (!app::FilesMayBeArriving(p.state)) {
                    complete = false;
                }
                continue;
            }
            if (!reader) {
                return reader.error();
            }
            const std::string name = "blobs/" + address;
            CONCORD_ASSIGN_OR_RETURN(
                FileFacts facts,
                CopyStream(
                    [&](std::span<std::uint8_t> o) { return (*reader)->Read(o); }, out / name
                )
            );
            if (facts.sha256 != address) {
                return Corrupt("blob " + address + " of package " + p.package + " is damaged");
            }
            copied.insert(address);
            addresses.push_back(boost::json::string(address));
            files.push_back(FileEntry(name, facts));
            ++report.blobs;
            report.blob_bytes += facts.size;
        }
        if (!complete) {
            missing.push_back(p.package);
            continue;
        }
        packages.push_back(boost::json::object{{"package", p.package}, {"blobs", addresses}});
        ++report.packages;
    }
    if (!missing.empty()) {
        // A blob gone from a package the store keeps: shredded since the listing, or lost.
        CONCORD_ASSIGN_OR_RETURN(auto tx, store->Begin());
        CONCORD_ASSIGN_OR_RETURN(auto shredded, app::ShreddedAmong(*tx, missing));
        tx->Rollback();
        for (const std::string& package : missing) {
            if (std::find(shredded.begin(), shredded.end(), package) == shredded.end()) {
                return Corrupt(
                    "package " + package + " misses a blob in " + config.evidence_blob_dir.string()
                );
            }
        }
    }
    report.shredded_meanwhile = missing.size();

    const boost::json::object manifest{
        {"format", kFormat},
        {"node", config.node_id},
        {"taken", FormatTimestamp(NowMillis())},
        {"backend", BackendName(store->Backend())},
        {"ledger",
         boost::json::object{
             {"size", static_cast<std::int64_t>(report.ledger_size)},
             {"root", report.ledger_root}}},
        {"files", std::move(files)},
        {"packages", std::move(packages)}};
    const std::string text = boost::json::serialize(manifest) + "\n";
    // Everything before backup.json is durable first: no backup.json, no backup.
    CONCORD_RETURN_IF_ERROR(SyncFolder(out / "keys"));
    CONCORD_RETURN_IF_ERROR(SyncFolder(out / "blobs"));
    CONCORD_RETURN_IF_ERROR(SyncFolder(out));
    const crypto::Signature signature = keys.signing.Sign(AsBytes(text));
    CONCORD_RETURN_IF_ERROR(WriteFileAtomically(
        out / kSignatureName,
        AsBytes(crypto::Base64Encode(ByteSpan(signature.data(), signature.size())) + "\n"),
        0600,
        ExistingFile::kRefuse
    ));
    CONCORD_RETURN_IF_ERROR(
        WriteFileAtomically(out / kManifestName, AsBytes(text), 0600, ExistingFile::kRefuse)
    );
    return report;
}

/// A backup folder's manifest once its signature and every file checked.
struct CheckedBackup {
    store::Backend backend{store::Backend::kSqlite};
    std::uint64_t ledger_size{0};
    ledger::Hash256 ledger_root{};
    /// name in the backup → facts, for every file listed
    std::map<std::string, FileFacts> files;
    /// package → its blob addresses
    std::map<std::string, std::vector<std::string>> packages;
    crypto::PublicKey node_key;  ///< of the backup's node.key, the directory's key of the node
};

Result<std::string> Member(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return Corrupt("backup.json: '" + std::string(key) + "' is missing or not text");
    }
    return std::string(v->as_string());
}

Result<std::uint64_t> Count(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_int64() || v->as_int64() < 0) {
        return Corrupt("backup.json: '" + std::string(key) + "' is not a count");
    }
    return static_cast<std::uint64_t>(v->as_int64());
}

bool IsKnownName(std::string_view name) {
    if (name == "store.sqlite" || name == "store.pgdump") {
        return true;
    }
    for (const KeyEntry& key : kKeys) {
        if (name == key.name) {
            return true;
        }
    }
    return name.starts_with("blobs/") && app::IsBlobAddress(name.substr(6));
}

Result<CheckedBackup> CheckBackup(const Config& config, const std::filesystem::path& from) {
    CONCORD_ASSIGN_OR_RETURN(
        std::string text, ReadSmallFile(from / kManifestName, kMaxManifestBytes)
    );
    CONCORD_ASSIGN_OR_RETURN(std::string sig_text, ReadSmallFile(from / kSignatureName, 1024));
    while (!sig_text.empty() && (sig_text.back() == '\n' || sig_text.back() == '\r')) {
        sig_text.pop_back();
    }
    CheckedBackup out;
    // The key first: the signature is checked with the backup's own node.key, opened with the
    // passphrase, and that key must be the node's key in the signed directory.
    auto keys = OpenKeyFile(config, from / "keys/node.key");
    if (!keys) {
        return MakeError(keys.error().code, "backup: keys/node.key: " + keys.error().message);
    }
    out.node_key = keys->signing.PublicKey();
    CONCORD_ASSIGN_OR_RETURN(federation::Directory directory, LoadDirectory(config, nullptr));
    const federation::NodeEntry* entry = directory.FindNode(config.node_id);
    if (entry == nullptr) {
        return MakeError(
            ErrorCode::kNotFound,
            "the directory " + config.directory_file.string() + " has no node " + config.node_id
        );
    }
    if (entry->signing_key != out.node_key) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "backup: its node.key is not the key of " + config.node_id + " in the directory"
        );
    }
    auto signature = crypto::Base64Decode(sig_text);
    if (!signature || !crypto::Verify(out.node_key, AsBytes(text), *signature)) {
        return MakeError(
            ErrorCode::kUnauthenticated, "backup: backup.sig does not verify backup.json"
        );
    }

    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(text, ec);
    if (ec || !parsed.is_object()) {
        return Corrupt("backup.json is not a JSON object");
    }
    const boost::json::object& m = parsed.as_object();
    CONCORD_ASSIGN_OR_RETURN(std::string format, Member(m, "format"));
    if (format != kFormat) {
        return Corrupt("backup.json: format '" + format + "' is not " + std::string(kFormat));
    }
    CONCORD_ASSIGN_OR_RETURN(std::string node, Member(m, "node"));
    if (node != config.node_id) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "backup: it is a backup of " + node + ", not of " + config.node_id
        );
    }
    CONCORD_ASSIGN_OR_RETURN(std::string backend, Member(m, "backend"));
    if (backend != "sqlite" && backend != "postgres") {
        return Corrupt("backup.json: unknown backend '" + backend + "'");
    }
    out.backend = backend == "sqlite" ? store::Backend::kSqlite : store::Backend::kPostgres;
    const auto* ledger = m.if_contains("ledger");
    if (ledger == nullptr || !ledger->is_object()) {
        return Corrupt("backup.json: 'ledger' is missing");
    }
    CONCORD_ASSIGN_OR_RETURN(out.ledger_size, Count(ledger->as_object(), "size"));
    CONCORD_ASSIGN_OR_RETURN(std::string root_hex, Member(ledger->as_object(), "root"));
    auto root = HexDecode(root_hex);
    if (!root || root->size() != out.ledger_root.size()) {
        return Corrupt("backup.json: the log root is not 32 bytes of hex");
    }
    std::copy(root->begin(), root->end(), out.ledger_root.begin());

    const auto* files = m.if_contains("files");
    if (files == nullptr || !files->is_array()) {
        return Corrupt("backup.json: 'files' is missing");
    }
    for (const boost::json::value& f : files->as_array()) {
        if (!f.is_object()) {
            return Corrupt("backup.json: a file entry is not an object");
        }
        CONCORD_ASSIGN_OR_RETURN(std::string name, Member(f.as_object(), "path"));
        if (!IsKnownName(name) || out.files.count(name) != 0) {
            return Corrupt("backup.json: unexpected file '" + name + "'");
        }
        FileFacts listed;
        CONCORD_ASSIGN_OR_RETURN(listed.size, Count(f.as_object(), "size"));
        CONCORD_ASSIGN_OR_RETURN(listed.sha256, Member(f.as_object(), "sha256"));
        out.files.emplace(name, listed);
    }
    if (out.files.count(std::string(StoreName(out.backend))) == 0 ||
        out.files.count("keys/node.key") == 0) {
        return Corrupt("backup.json lists no store or no node.key");
    }
    const auto* packages = m.if_contains("packages");
    if (packages == nullptr || !packages->is_array()) {
        return Corrupt("backup.json: 'packages' is missing");
    }
    for (const boost::json::value& p : packages->as_array()) {
        if (!p.is_object() || !p.as_object().contains("blobs") ||
            !p.as_object().at("blobs").is_array()) {
            return Corrupt("backup.json: a package entry is malformed");
        }
        CONCORD_ASSIGN_OR_RETURN(std::string id, Member(p.as_object(), "package"));
        std::vector<std::string> addresses;
        for (const boost::json::value& a : p.as_object().at("blobs").as_array()) {
            if (!a.is_string() || out.files.count("blobs/" + std::string(a.as_string())) == 0) {
                return Corrupt("backup.json: package " + id + " names a blob it does not hold");
            }
            addresses.emplace_back(a.as_string());
        }
        out.packages.emplace(id, std::move(addresses));
    }
    // Every file as listed, before anything is written.
    for (const auto& [name, listed] : out.files) {
        auto facts = HashFile(from / name);
        if (!facts) {
            return Corrupt(name + " is missing");
        }
        if (facts->size != listed.size || facts->sha256 != listed.sha256) {
            return Corrupt(name + " does not match backup.json (changed or damaged)");
        }
    }
    return out;
}

/// Whether the blob folder holds a blob already.
bool HoldsBlobs(const std::filesystem::path& folder) {
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(folder / "sha256", ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) {
            return true;
        }
    }
    return false;
}

/// The key files to write: kAlreadyExists if one exists and differs from the backup's.
Result<std::vector<std::pair<std::string, std::filesystem::path>>> KeysToWrite(
    const Config& config, const CheckedBackup& backup
) {
    std::vector<std::pair<std::string, std::filesystem::path>> out;
    for (const KeyEntry& key : kKeys) {
        const std::filesystem::path& target = config.*key.path;
        const auto listed = backup.files.find(std::string(key.name));
        if (target.empty() || listed == backup.files.end()) {
            continue;
        }
        std::error_code ec;
        if (!std::filesystem::exists(target, ec)) {
            out.emplace_back(std::string(key.name), target);
            continue;
        }
        CONCORD_ASSIGN_OR_RETURN(FileFacts present, HashFile(target));
        if (present.sha256 != listed->second.sha256) {
            return MakeError(
                ErrorCode::kAlreadyExists,
                "restore: '" + target.string() + "' exists and is not the backup's " +
                    std::string(key.name)
            );
        }
    }
    return out;
}

}  // namespace

Result<BackupReport> BackUpNode(const Config& config, const std::filesystem::path& out) {
    CONCORD_RETURN_IF_ERROR(MakePrivateFolder(out));
    auto report = WriteBackup(config, out);
    if (report) {
        const std::filesystem::path parent =
            out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();
        if (auto synced = SyncFolder(parent); !synced) {
            report = synced.error();
        }
    }
    if (!report) {
        std::error_code ec;
        std::filesystem::remove_all(out, ec);
    }
    return report;
}

namespace {

/// What a restore wrote, so that a failure after the store was loaded undoes it.
struct Written {
    std::vector<std::filesystem::path> keys;
};

/// Copies the blobs and the missing key files of the checked backup in `from`, then verifies
/// the restored node: its log against the backup's head and every package's blobs.
Result<RestoreReport> LoadAndVerify(
    const Config& config,
    const std::filesystem::path& from,
    const CheckedBackup& backup,
    const std::vector<std::pair<std::string, std::filesystem::path>>& keys,
    store::Store& restored,
    Written& written
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto blobs, app::DirectoryBlobStore::OpenFolder(config.evidence_blob_dir)
    );
    for (const auto& [name, facts] : backup.files) {
        if (!name.starts_with("blobs/")) {
            continue;
        }
        CONCORD_ASSIGN_OR_RETURN(FileReader reader, FileReader::Open(from / name));
        CONCORD_ASSIGN_OR_RETURN(auto writer, blobs->Create());
        std::vector<std::uint8_t> buffer(kCopyChunk);
        for (;;) {
            CONCORD_ASSIGN_OR_RETURN(std::size_t n, reader(buffer));
            if (n == 0) {
                break;
            }
            CONCORD_RETURN_IF_ERROR(writer->Append(ByteSpan(buffer.data(), n)));
        }
        CONCORD_ASSIGN_OR_RETURN(std::string address, writer->Commit());
        if ("blobs/" + address != name) {
            return Corrupt(name + " changed while it was restored");
        }
    }
    for (const auto& [name, target] : keys) {
        CONCORD_ASSIGN_OR_RETURN(std::string bytes, ReadSmallFile(from / name, 1U << 20U));
        const auto digest = crypto::Sha256(AsBytes(bytes));
        if (HexEncode(ByteSpan(digest.data(), digest.size())) != backup.files.at(name).sha256) {
            return Corrupt(name + " changed while it was restored");
        }
        CONCORD_RETURN_IF_ERROR(
            WriteFileAtomically(target, AsBytes(bytes), 0600, ExistingFile::kRefuse)
        );
        written.keys.push_back(target);
    }

    store::Store* store = &restored;
    // The restored log: every entry and checkpoint, and the head the backup recorded in it.
    RestoreReport report;
    CONCORD_ASSIGN_OR_RETURN(auto log, ledger::Log::Open(*store));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store->Begin());
    const ledger::NoteVerifier verifier =
        ledger::MakeVerifier(config.node_id, ledger::NoteKeyType::kEd25519, backup.node_key);
    CONCORD_ASSIGN_OR_RETURN(
        auto verified, log->VerifyAll(*tx, std::span<const ledger::NoteVerifier>(&verifier, 1))
    );
    if (verified.size < backup.ledger_size) {
        return Corrupt(
            "the restored log holds " + std::to_string(verified.size) +
            " entries, fewer than the " + std::to_string(backup.ledger_size) +
            " backup.json records"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(auto root, log->Root(*tx, backup.ledger_size));
    if (root != backup.ledger_root) {
        return Corrupt("the restored log does not extend the log head backup.json records");
    }
    report.ledger_size = verified.size;
    report.checkpoints = verified.checkpoints;

    // Every package the store keeps has its blobs, but those shredded while the backup was taken.
    CONCORD_ASSIGN_OR_RETURN(auto kept, app::ListPackageBlobs(*tx));
    tx->Rollback();
    for (const app::PackageBlobs& p : kept) {
        if (backup.packages.count(p.package) == 0) {
            std::size_t absent = 0;
            for (const std::string& address : p.blobs) {
                CONCORD_ASSIGN_OR_RETURN(bool present, blobs->Contains(address));
                absent += present ? 0 : 1;
            }
            if (absent > 0 && !app::FilesMayBeArriving(p.state)) {
                ++report.shredded_meanwhile;
                continue;
            }
        }
        for (const std::string& address : p.blobs) {
            CONCORD_ASSIGN_OR_RETURN(bool present, blobs->Contains(address));
            if (present) {
                ++report.files;
            } else if (app::FilesMayBeArriving(p.state)) {
                ++report.arriving_files;
            } else {
                return Corrupt("package " + p.package + " misses blob " + address);
            }
        }
        ++report.packages;
    }
    return report;
}

store::Backend BackendOf(const Config& config) {
    return config.store_url.rfind("sqlite:", 0) == 0 ? store::Backend::kSqlite
                                                     : store::Backend::kPostgres;
}

}  // namespace

Result<RestoreReport> RestoreNode(const Config& config, const std::filesystem::path& from) {
    // Every check before anything is written.
    CONCORD_ASSIGN_OR_RETURN(CheckedBackup backup, CheckBackup(config, from));
    if (BackendOf(config) != backup.backend) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "restore: the backup holds a " + std::string(BackendName(backup.backend)) +
                " store and node.store is " + std::string(BackendName(BackendOf(config)))
        );
    }
    if (HoldsBlobs(config.evidence_blob_dir)) {
        return MakeError(
            ErrorCode::kAlreadyExists,
            "restore: the blob folder " + config.evidence_blob_dir.string() + " holds blobs"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(auto keys, KeysToWrite(config, backup));
    const std::string store_name(StoreName(backup.backend));
    if (BackendOf(config) == store::Backend::kSqlite &&
        std::filesystem::exists(config.store_url.substr(7))) {
        // A fresh SQLite node has no database file: restore creates it (and removes it again
        // if the restore fails).
        return MakeError(
            ErrorCode::kAlreadyExists,
            "restore: " + config.store_url.substr(7) + " exists; restore creates the database"
        );
    }

    // The store copy is loaded from a private copy of it, checked again: the backup folder may
    // change after it was checked.
    const std::filesystem::path folder =
        config.file.parent_path().empty() ? std::filesystem::path(".") : config.file.parent_path();
    const std::filesystem::path staged = folder / (".restore-" + NewUuidV7());
    struct Unstage {
        std::filesystem::path path;
        ~Unstage() {
            std::error_code ec;
            std::filesystem::remove(path, ec);
        }
    } unstage{staged};
    {
        CONCORD_ASSIGN_OR_RETURN(FileReader reader, FileReader::Open(from / store_name));
        CONCORD_ASSIGN_OR_RETURN(
            FileFacts facts,
            CopyStream([&reader](std::span<std::uint8_t> o) { return reader(o); }, staged)
        );
        const FileFacts& listed = backup.files.at(store_name);
        if (facts.size != listed.size || facts.sha256 != listed.sha256) {
            return Corrupt(store_name + " changed while it was restored");
        }
    }
    // As the node opens it: a SQLite database is created 0600 in a private folder.
    CONCORD_ASSIGN_OR_RETURN(auto store, OpenStore(config));
    CONCORD_RETURN_IF_ERROR(store->RestoreFrom(staged));

    Written written;
    auto report = LoadAndVerify(config, from, backup, keys, *store, written);
    if (report) {
        return report;
    }
    // Undo what was written, so that the node is fresh again for the next attempt.
    store.reset();
    std::error_code ec;
    for (const std::filesystem::path& key : written.keys) {
        std::filesystem::remove(key, ec);
    }
    // The folder held no blob before (HoldsBlobs): every blob under it is this restore's.
    std::filesystem::remove_all(config.evidence_blob_dir / "sha256", ec);
    Error error = std::move(report).error();
    if (backup.backend == store::Backend::kSqlite) {
        const std::string file = config.store_url.substr(7);
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(file + suffix, ec);
        }
        error.message += "; nothing of the backup was kept";
    } else {
        error.message +=
            "; the database of node.store now holds the backup's tables: drop them (or create "
            "a new database) before restoring again";
    }
    return error;
}

}  // namespace concord::server
