#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "concord/legal/catalog.hpp"

namespace concord::legal::detail {

/// A problem with one value of a request field: where, and the "reason.*" message key.
struct ValueProblem {
    std::string path;
    std::string reason;
};

/// What checking a field value found.
struct ValueReport {
    std::vector<ValueProblem> problems;
    std::vector<std::string> unchecked_checksums;  ///< paths of addresses whose checksum was not
                                                   ///< verified (Ethereum EIP-55)
};

/// Checks `value` at `path` against the declared type of `spec` (docs/legal-data.md lists the
/// types and their JSON shapes). `catalog` supplies the allowed roles.
void CheckFieldValue(
    const Catalog& catalog,
    const FieldSpec& spec,
    const boost::json::value& value,
    const std::string& path,
    ValueReport& report
);

/// Checks an authority object (issuing or validating authority) at `path`.
void CheckAuthority(
    const Catalog& catalog,
    const boost::json::value& value,
    const std::string& path,
    ValueReport& report
);

}  // namespace concord::legal::detail
