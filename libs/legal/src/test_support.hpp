#pragma once

#include <string>

#include <gtest/gtest.h>

#include "concord/legal/catalog.hpp"

namespace concord::legal::testing {

/// The shipped catalog plus the fictional test parties of libs/legal/testdata/parties and their
/// national offences (libs/legal/testdata/criminalisation).
inline const Catalog& TestCatalog() {
    static const Catalog catalog = [] {
        auto c = LoadCatalog(std::string(CONCORD_SOURCE_DIR) + "/instruments");
        EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
        Catalog out = std::move(*c);
        auto extra =
            LoadPartiesInto(out, std::string(CONCORD_SOURCE_DIR) + "/libs/legal/testdata/parties");
        EXPECT_TRUE(extra.has_value()) << (extra ? "" : extra.error().message);
        auto national = LoadCriminalisationInto(
            out, std::string(CONCORD_SOURCE_DIR) + "/libs/legal/testdata/criminalisation"
        );
        EXPECT_TRUE(national.has_value()) << (national ? "" : national.error().message);
        return out;
    }();
    return catalog;
}

}  // namespace concord::legal::testing
