#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// The encrypted blobs one evidence package keeps in the blob store: what a backup of the node
/// must copy for it (docs/operations.md "Backups").
struct PackageBlobs {
    std::string package;
    std::string state;               ///< draft, sealed, delivered, receiving or received
    std::vector<std::string> blobs;  ///< its files' blob addresses, in file order
};

/// Every package of the store that is not shredded, in package order, with its blobs.
Result<std::vector<PackageBlobs>> ListPackageBlobs(store::Transaction& tx);

/// The packages among `packages` that are shredded now (a backup taken meanwhile may hold them
/// unshredded: the node shreds them again at its start).
Result<std::vector<std::string>> ShreddedAmong(
    store::Transaction& tx, const std::vector<std::string>& packages
);

/// Whether a package in `state` may lack the blob of a file: an incoming package whose files
/// are still arriving keeps them as partial blobs until each is complete.
bool FilesMayBeArriving(std::string_view state);

}  // namespace concord::app
