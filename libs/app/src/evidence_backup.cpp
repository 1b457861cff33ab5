#include "concord/app/evidence_backup.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kSelectKeptBlobs =
    "SELECT p.package, p.state, f.encrypted_sha256 FROM app_evidence_packages p LEFT JOIN "
    "app_evidence_files f ON f.package = p.package WHERE p.shredded_ms IS NULL ORDER BY "
    "p.package, f.seq";
constexpr std::string_view kIsShredded =
    "SELECT 1 FROM app_evidence_packages WHERE package = $1 AND shredded_ms IS NOT NULL";

}  // namespace

Result<std::vector<PackageBlobs>> ListPackageBlobs(store::Transaction& tx) {
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectKeptBlobs));
    std::vector<PackageBlobs> out;
    for (const store::Row& r : rows) {
        if (out.empty() || out.back().package != r.Text("package")) {
            out.push_back(PackageBlobs{r.Text("package"), r.Text("state"), {}});
        }
        if (!r.IsNull("encrypted_sha256")) {
            out.back().blobs.push_back(r.Text("encrypted_sha256"));
        }
    }
    return out;
}

Result<std::vector<std::string>> ShreddedAmong(
    store::Transaction& tx, const std::vector<std::string>& packages
) {
    std::vector<std::string> out;
    for (const std::string& package : packages) {
        CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(kIsShredded, {package}));
        if (!rows.empty()) {
            out.push_back(package);
        }
    }
    return out;
}

bool FilesMayBeArriving(std::string_view state) {
    return state == "receiving";
}

}  // namespace concord::app
