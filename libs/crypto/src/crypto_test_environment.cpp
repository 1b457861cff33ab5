#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"

namespace {

// Initialises libsodium once before any crypto test runs (gtest_main supplies main()).
class CryptoEnvironment : public ::testing::Environment {
public:
    void SetUp() override { ASSERT_TRUE(concord::crypto::Initialize().has_value()); }
};

// NOLINTNEXTLINE(cert-err58-cpp): a throw here (bad_alloc) should end the test binary anyway.
[[maybe_unused]] ::testing::Environment* const environment =
    ::testing::AddGlobalTestEnvironment(new CryptoEnvironment);  // gtest takes ownership

}  // namespace
