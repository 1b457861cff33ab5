#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace concord::cli {

/// Runs the `concord` command line with `args` (args[0] is the program name), writing results to
/// `out` and diagnostics to `err`. Returns the process exit status: 0 success, 1 the checked
/// thing is invalid (a proof, a note, a log), 2 bad usage or input. Never throws.
int Run(
    const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err
);

}  // namespace concord::cli
