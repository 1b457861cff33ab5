#pragma once

// Runs the command line in-process for the CLI tests.

#include <sstream>
#include <string>
#include <vector>

#include "concord/cli/cli.hpp"

namespace concord::cli::testing {

/// What one run printed and its exit status.
struct Output {
    int status;
    std::string out;
    std::string err;
};

/// Runs `concord ARGS...` with `input` on standard input.
inline Output RunCli(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), "concord");
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    const int status = Run(args, in, out, err);
    return {status, out.str(), err.str()};
}

}  // namespace concord::cli::testing
