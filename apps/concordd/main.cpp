// concordd: runs one Concord node (docs/operations.md).

#include <csignal>
#include <iostream>
#include <string>

#include "concord/core/log.hpp"
#include "concord/crypto/init.hpp"
#include "concord/server/config.hpp"
#include "concord/server/service.hpp"

#include <pthread.h>

namespace {

int Usage() {
    std::cerr << "usage: concordd --config FILE\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            config_file = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_file = arg.substr(9);
        } else {
            return Usage();
        }
    }
    if (config_file.empty()) {
        return Usage();
    }
    // Block the stop signals in every thread; the main thread waits for them below.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    if (auto init = concord::crypto::Initialize(); !init) {
        std::cerr << "concordd: " << init.error().ToString() << "\n";
        return 1;
    }
    auto config = concord::server::LoadConfig(config_file);
    if (!config) {
        std::cerr << "concordd: " << config.error().message << "\n";
        return 2;
    }
    auto service = concord::server::NodeService::Start(*config);
    if (!service) {
        std::cerr << "concordd: cannot start: " << service.error().ToString() << "\n";
        return 1;
    }
    int received = 0;
    sigwait(&signals, &received);
    concord::log::Info("stopping", {{"signal", received}});
    (*service)->Stop();
    return 0;
}
