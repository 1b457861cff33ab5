#include "concord/app/evidence_package.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <system_error>

#include "concord/core/file.hpp"
#include "concord/crypto/secretstream.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/note.hpp"
#include "concord/ledger/proof_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace concord::app {
namespace {

constexpr std::size_t kPiece = std::size_t{1} << 20;

/// Writes a new file at `part` through `fill`, fsyncs it and renames it to `path`.
Result<void> WriteNewFile(
    const std::filesystem::path& part,
    const std::filesystem::path& path,
    const std::function<Result<void>(const std::function<Result<void>(ByteSpan)>&)>& fill
) {
    UniqueFd fd(::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.Get() < 0) {
        return FileErrnoError(part, "open", errno);
    }
    auto written = fill([&](ByteSpan bytes) { return WriteAll(fd.Get(), bytes, part); });
    if (written && ::fsync(fd.Get()) != 0) {
        written = FileErrnoError(part, "fsync", errno);
    }
    if (written && fd.Close() != 0) {
        written = FileErrnoError(part, "close", errno);
    }
    if (written && ::rename(part.c_str(), path.c_str()) != 0) {
        written = FileErrnoError(path, "rename", errno);
    }
    if (!written) {
        ::unlink(part.c_str());
    }
    return written;
}

/// Hands every piece `source` yields (read into `buffer`) to `each`, until the source ends.
Result<void> ForEachPiece(
    const PlaintextSource& source,
    std::vector<std::uint8_t>& buffer,
    const std::function<Result<void>(ByteSpan)>& each
) {
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, source(buffer));
        if (n == 0) {
            return {};
        }
        CONCORD_RETURN_IF_ERROR(each(ByteSpan(buffer.data(), n)));
    }
}

Result<void> SyncFolder(const std::filesystem::path& folder) {
    UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.Get() < 0 || ::fsync(fd.Get()) != 0) {
        return FileErrnoError(folder, "fsync", errno);
    }
    return {};
}

// The plaintext of `f` from `fetch` into `write`, checked against the manifest's size (as it
// arrives) and SHA-256 (at the end).
Result<void> FetchChecked(
    const FileFetcher& fetch, const EvidenceFile& f, const PlaintextSink& write
) {
    crypto::Sha256Hasher hasher;
    std::uint64_t size = 0;
    CONCORD_RETURN_IF_ERROR(fetch(f, [&](ByteSpan piece) -> Result<void> {
        if (piece.size() > f.sealed.size - size) {
            return MakeError(ErrorCode::kCorruption, f.name + ": longer than the manifest says");
        }
        size += piece.size();
        hasher.Update(piece);
        return write(piece);
    }));
    if (size != f.sealed.size || HexEncode(hasher.Finish()) != f.sealed.sha256) {
        return MakeError(
            ErrorCode::kCorruption,
            f.name + ": the bytes received do not match the manifest's size and sha256"
        );
    }
    return {};
}

Result<void> WriteInto(
    const ParsedManifest& manifest,
    std::string_view manifest_text,
    const FileFetcher& fetch,
    const std::filesystem::path& out
) {
    if (::mkdir((out / "files").c_str(), 0700) != 0) {
        return FileErrnoError(out / "files", "mkdir", errno);
    }
    // Parts are written beside files/, so no part can take the name of a file of the package.
    const auto part = out / ".part";
    for (const EvidenceFile& f : manifest.manifest.files) {
        CONCORD_RETURN_IF_ERROR(WriteNewFile(part, out / "files" / f.name, [&](const auto& write) {
            return FetchChecked(fetch, f, write);
        }));
    }
    CONCORD_RETURN_IF_ERROR(SyncFolder(out / "files"));
    CONCORD_RETURN_IF_ERROR(WriteNewFile(part, out / "manifest.json", [&](const auto& write) {
        return write(AsBytes(manifest_text));
    }));
    return SyncFolder(out);
}

}  // namespace

Result<PackageBuilder> PackageBuilder::Create(BlobStore& blobs, std::uint32_t chunk_bytes) {
    CONCORD_RETURN_IF_ERROR(ChunkLayout::Create(0, chunk_bytes));
    return PackageBuilder(blobs, chunk_bytes, crypto::GenerateStreamKey());
}

PackageBuilder PackageBuilder::Resume(
    BlobStore& blobs,
    std::uint32_t chunk_bytes,
    crypto::SecretBytes key,
    std::vector<EvidenceFile> files
) {
    PackageBuilder builder(blobs, chunk_bytes, std::move(key));
    builder.files_ = std::move(files);
    return builder;
}

Result<EvidenceFile> PackageBuilder::CheckNewFile(
    std::string name, std::string media_type, std::string added_by, std::int64_t added_ms
) const {
    if (files_.size() >= kMaxPackageFiles) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "a package holds at most " + std::to_string(kMaxPackageFiles) + " files"
        );
    }
    for (const EvidenceFile& f : files_) {
        if (f.name == name) {
            return MakeError(ErrorCode::kInvalidArgument, "file name '" + name + "' appears twice");
        }
    }
    // The rules of the format, checked on a manifest holding just this file.
    EvidenceFile file{std::move(name), std::move(media_type), {}, std::move(added_by), added_ms};
    EvidenceManifest probe;
    probe.package = "00000000-0000-7000-8000-000000000000";
    probe.case_id = "probe";
    probe.from = "probe";
    probe.to = "probe";
    probe.chunk_bytes = chunk_bytes_;
    probe.files.push_back(file);
    probe.files.back().sealed.sha256 = std::string(64, '0');
    probe.files.back().sealed.encrypted_sha256 = std::string(64, '0');
    probe.sealed_key.assign(72, 0);
    CONCORD_RETURN_IF_ERROR(ManifestContent(probe));
    return file;
}

Result<void> PackageBuilder::AddFile(
    std::string name,
    std::string media_type,
    std::string added_by,
    std::int64_t added_ms,
    const PlaintextSource& source
) {
    CONCORD_ASSIGN_OR_RETURN(
        EvidenceFile file,
        CheckNewFile(std::move(name), std::move(media_type), std::move(added_by), added_ms)
    );
    CONCORD_ASSIGN_OR_RETURN(FileSealer sealer, FileSealer::Create(key_, chunk_bytes_, *blobs_));
    std::vector<std::uint8_t> piece(kPiece);
    CONCORD_RETURN_IF_ERROR(ForEachPiece(source, piece, [&sealer](ByteSpan bytes) {
        return sealer.Write(bytes);
    }));
    CONCORD_ASSIGN_OR_RETURN(file.sealed, sealer.Finish());
    files_.push_back(std::move(file));
    return {};
}

Result<EvidenceManifest> PackageBuilder::Finish(
    std::string package_id,
    std::string case_id,
    std::string from,
    std::string to,
    std::int64_t created_ms,
    const crypto::BoxPublicKey& recipient,
    const crypto::BoxKeyPair& sender
) const {
    EvidenceManifest m;
    m.package = std::move(package_id);
    m.case_id = std::move(case_id);
    m.from = std::move(from);
    m.to = std::move(to);
    m.created_ms = created_ms;
    m.chunk_bytes = chunk_bytes_;
    m.files = files_;
    CONCORD_ASSIGN_OR_RETURN(
        m.sealed_key, SealPackageKey(key_, m.package, m.from, m.to, recipient, sender)
    );
    CONCORD_RETURN_IF_ERROR(ManifestContent(m));
    return m;
}

PlaintextSource MemorySource(std::string bytes) {
    auto data = std::make_shared<std::string>(std::move(bytes));
    auto at = std::make_shared<std::size_t>(0);
    return [data, at](std::span<std::uint8_t> out) -> Result<std::size_t> {
        const std::size_t n = std::min(out.size(), data->size() - *at);
        std::memcpy(out.data(), data->data() + *at, n);
        *at += n;
        return n;
    };
}

Result<PlaintextSource> FileSource(const std::filesystem::path& path) {
    auto fd = std::make_shared<UniqueFd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd->Get() < 0) {
        return FileErrnoError(path, "open", errno);
    }
    return PlaintextSource([fd, path](std::span<std::uint8_t> out) -> Result<std::size_t> {
        for (;;) {
            const ssize_t n = ::read(fd->Get(), out.data(), out.size());
            if (n >= 0) {
                return static_cast<std::size_t>(n);
            }
            if (errno != EINTR) {
                return FileErrnoError(path, "read", errno);
            }
        }
    });
}

namespace {

/// Whether ReadBounded drops line ends at the end of the file.
enum class LineEnds : std::uint8_t {
    kKeep,  ///< the bytes exactly, at most `max` of them
    kTrim,  ///< a signed text: an editor or `cat >` may add a line end (two bytes at most)
};

/// The whole of the small file `path` (`what` names it in the error).
Result<std::string> ReadBounded(
    const std::filesystem::path& path, std::size_t max, std::string_view what, LineEnds ends
) {
    const std::size_t limit = max + (ends == LineEnds::kTrim ? 2 : 0);
    CONCORD_ASSIGN_OR_RETURN(PlaintextSource source, FileSource(path));
    std::string text;
    std::vector<std::uint8_t> piece(std::min(kPiece, limit + 1));
    CONCORD_RETURN_IF_ERROR(ForEachPiece(source, piece, [&](ByteSpan bytes) -> Result<void> {
        if (text.size() + bytes.size() > limit) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                std::string(what) + " is larger than " + std::to_string(max) + " bytes"
            );
        }
        text.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        return {};
    }));
    while (ends == LineEnds::kTrim && !text.empty() && (text.back() == '\n' || text.back() == '\r')
    ) {
        text.pop_back();
    }
    return text;
}

constexpr std::size_t kMaxCustodyFileBytes = std::size_t{64} << 10;
constexpr std::string_view kReceiptFile = "receipt.json";
constexpr std::string_view kLeafFile = "received.leaf";
constexpr std::string_view kProofFile = "received.proof";

Error NotThisPackage(std::string_view what) {
    return MakeError(
        ErrorCode::kCorruption, "custody/" + std::string(what) + " is not of this package"
    );
}

/// custody/ of a package folder whose manifest `v` (text `manifest_text`) verified.
Result<void> VerifyCustody(
    const federation::Directory& directory,
    const std::filesystem::path& custody,
    const VerifiedManifest& v,
    std::string_view manifest_text,
    PackageReport& report
) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(custody, ec)) {
        const std::string name = entry.path().filename().string();
        if (name != kReceiptFile && name != kLeafFile && name != kProofFile) {
            return MakeError(ErrorCode::kCorruption, "custody/" + name + " is not a custody file");
        }
    }
    if (ec) {
        return MakeError(ErrorCode::kUnavailable, "cannot list " + custody.string());
    }
    const EvidenceManifest& m = v.parsed.manifest;
    CONCORD_ASSIGN_OR_RETURN(
        std::string receipt_text,
        ReadBounded(
            custody / kReceiptFile, kMaxCustodyFileBytes, "custody/receipt.json", LineEnds::kTrim
        )
    );
    CONCORD_ASSIGN_OR_RETURN(
        EvidenceReceipt receipt, VerifyEvidenceReceipt(directory, receipt_text)
    );
    if (receipt.package != m.package || receipt.from != m.from || receipt.to != m.to ||
        receipt.manifest_sha256 != HexEncode(crypto::Sha256(AsBytes(manifest_text)))) {
        return NotThisPackage(kReceiptFile);
    }
    const bool has_leaf = std::filesystem::exists(custody / kLeafFile);
    if (has_leaf != std::filesystem::exists(custody / kProofFile)) {
        return MakeError(
            ErrorCode::kCorruption, "custody/ holds one of received.leaf and received.proof"
        );
    }
    if (has_leaf) {
        // The leaf is compared byte for byte: no line end is trimmed from it.
        CONCORD_ASSIGN_OR_RETURN(
            std::string leaf,
            ReadBounded(
                custody / kLeafFile, kMaxCustodyFileBytes, "custody/received.leaf", LineEnds::kKeep
            )
        );
        CONCORD_ASSIGN_OR_RETURN(
            std::string proof_text,
            ReadBounded(
                custody / kProofFile,
                kMaxCustodyFileBytes,
                "custody/received.proof",
                LineEnds::kTrim
            )
        );
        // A tlog-proof ends with its checkpoint's signature line and a newline.
        CONCORD_ASSIGN_OR_RETURN(
            ledger::TlogProof proof, ledger::ParseTlogProof(proof_text + "\n")
        );
        auto object = federation::ParseObject(leaf);
        const auto member = [&object](const char* name) {
            auto got = object ? federation::GetString(*object, name) : Result<std::string>("");
            return got ? *got : std::string();
        };
        if (proof.index != receipt.ledger_index || member("event") != "evidence.received" ||
            member("package") != m.package) {
            return NotThisPackage(kLeafFile);
        }
        const federation::NodeEntry* node = directory.FindNode(receipt.to);
        if (node == nullptr) {
            return MakeError(ErrorCode::kUnauthenticated, receipt.to + " is not in the directory");
        }
        const ledger::NoteVerifier key =
            ledger::MakeVerifier(receipt.to, ledger::NoteKeyType::kEd25519, node->signing_key);
        CONCORD_ASSIGN_OR_RETURN(
            report.ledger,
            ledger::VerifyTlogProof(proof, AsBytes(leaf), std::span(&key, 1), receipt.to)
        );
    }
    report.receipt = std::move(receipt);
    return {};
}

}  // namespace

Result<void> WriteCustody(const std::filesystem::path& folder, const EvidenceCustody& custody) {
    if (custody.receipt.empty()) {
        return {};
    }
    const auto dir = folder / "custody";
    if (::mkdir(dir.c_str(), 0700) != 0) {
        return errno == EEXIST ? MakeError(ErrorCode::kAlreadyExists, dir.string() + " exists")
                               : FileErrnoError(dir, "mkdir", errno);
    }
    const auto write = [&dir](std::string_view name, ByteSpan bytes) {
        const auto path = dir / std::string(name);
        return WriteNewFile(
            dir / ("." + std::string(name) + ".part"),
            path,
            [bytes](const std::function<Result<void>(ByteSpan)>& out) { return out(bytes); }
        );
    };
    CONCORD_RETURN_IF_ERROR(write(kReceiptFile, AsBytes(custody.receipt)));
    if (!custody.ledger_leaf.empty()) {
        CONCORD_RETURN_IF_ERROR(write(kLeafFile, custody.ledger_leaf));
        CONCORD_RETURN_IF_ERROR(write(kProofFile, AsBytes(custody.ledger_proof)));
    }
    return SyncFolder(dir);
}

Result<void> WritePackageFolder(
    const ParsedManifest& manifest,
    std::string_view manifest_text,
    const FileFetcher& fetch,
    const std::filesystem::path& out
) {
    if (::mkdir(out.c_str(), 0700) != 0) {
        return FileErrnoError(out, "mkdir", errno);
    }
    auto written = WriteInto(manifest, manifest_text, fetch, out);
    if (!written) {
        std::error_code ec;
        std::filesystem::remove_all(out, ec);
    }
    return written;
}

Result<void> ExportPackage(
    BlobStore& blobs,
    const ParsedManifest& manifest,
    std::string_view manifest_text,
    const crypto::SecretBytes& package_key,
    const std::filesystem::path& out
) {
    const std::uint32_t chunk_bytes = manifest.manifest.chunk_bytes;
    return WritePackageFolder(
        manifest,
        manifest_text,
        [&](const EvidenceFile& file, const PlaintextSink& write) {
            // WritePackageFolder checks the hash; the reader need not hash the file twice.
            SealedFile unhashed = file.sealed;
            unhashed.sha256.clear();
            return OpenSealedFile(blobs, package_key, chunk_bytes, unhashed, write);
        },
        out
    );
}

Result<PackageReport> VerifyExportedPackage(
    const federation::Directory& directory, const std::filesystem::path& folder
) {
    CONCORD_ASSIGN_OR_RETURN(
        std::string text,
        ReadBounded(folder / "manifest.json", kMaxManifestBytes, "manifest.json", LineEnds::kTrim)
    );
    std::vector<std::uint8_t> piece(kPiece);
    auto verified = VerifyManifest(directory, text);
    if (!verified) {
        return verified.error().ToError();
    }
    PackageReport report{std::move(*verified), 0, std::nullopt, ""};
    std::set<std::string> listed;
    for (const EvidenceFile& f : report.manifest.parsed.manifest.files) {
        listed.insert(f.name);
        const auto path = folder / "files" / f.name;
        auto source = FileSource(path);
        if (!source) {
            return MakeError(
                ErrorCode::kCorruption,
                "file '" + f.name + "' is missing: " + source.error().message
            );
        }
        crypto::Sha256Hasher hasher;
        std::uint64_t size = 0;
        CONCORD_RETURN_IF_ERROR(ForEachPiece(*source, piece, [&](ByteSpan bytes) -> Result<void> {
            hasher.Update(bytes);
            size += bytes.size();
            return {};
        }));
        if (size != f.sealed.size || HexEncode(hasher.Finish()) != f.sealed.sha256) {
            return MakeError(
                ErrorCode::kCorruption,
                "file '" + f.name + "' differs from the manifest (" + std::to_string(size) +
                    " bytes, manifest says " + std::to_string(f.sealed.size) + ")"
            );
        }
        report.bytes += size;
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder / "files", ec)) {
        if (listed.count(entry.path().filename().string()) == 0) {
            return MakeError(
                ErrorCode::kCorruption,
                "files/" + entry.path().filename().string() + " is not in the manifest"
            );
        }
    }
    if (ec) {
        return MakeError(
            ErrorCode::kUnavailable,
            "cannot list " + (folder / "files").string() + ": " + ec.message()
        );
    }
    if (std::filesystem::exists(folder / "custody")) {
        CONCORD_RETURN_IF_ERROR(
            VerifyCustody(directory, folder / "custody", report.manifest, text, report)
        );
    }
    return report;
}

}  // namespace concord::app
