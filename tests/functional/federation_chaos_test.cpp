// 1,000 messages among three concordd processes while random nodes are SIGKILLed and restarted:
// nothing acknowledged is lost, no business record is duplicated (issue 3, "Tests with real
// processes"). Wire duplicates (a receipt lost with a killed process, then a retry) are allowed
// and counted.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMessages = 1000;
constexpr int kSubmitters = 2;
constexpr int kMinKills = 8;

struct Acked {
    std::size_t from{0};
    std::size_t to{0};
    std::string id;
};

TEST(FederationChaos, ThousandMessagesAmongThreeNodesWithRandomKillsNoneLostNoneDuplicated) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    f.AddNode("hu.provider", "HU", "service_provider");
    ASSERT_TRUE(f.Create());
    auto started = f.StartAll();
    ASSERT_TRUE(started) << Why(started);
    const auto t0 = Clock::now();

    std::mutex mu;
    std::vector<Acked> acked;          // guarded by mu
    std::string problem;               // guarded by mu
    std::map<std::size_t, int> kills;  // guarded by mu (written by the killer only)
    double wire_duplicates = 0;        // killer thread, then main
    std::atomic<int> next{0};
    std::atomic<int> failed_submissions{0};
    std::atomic<bool> submitting{true};

    auto submitter = [&](unsigned seed) {
        std::mt19937 rng(seed);
        std::vector<std::unique_ptr<net::HttpClient>> clients;
        for (std::size_t i = 0; i < f.Size(); ++i) {
            clients.push_back(f.Node(i).NewClient());
        }
        for (int n = next++; n < kMessages; n = next++) {
            const std::size_t from = rng() % f.Size();
            const std::size_t to = (from + 1 + rng() % (f.Size() - 1)) % f.Size();
            const std::string body =
                R"({"chaos":)" + std::to_string(n) + R"(,"from":")" + f.Node(from).Id() + "\"}";
            const auto deadline = Clock::now() + kPatience;
            for (;;) {
                auto id = f.Node(from).Submit(f.Node(to).Id(), "notice", body, clients[from].get());
                if (id) {
                    std::scoped_lock lock(mu);
                    acked.push_back({from, to, *id});
                    break;
                }
                // The sender is down (or died answering): not acknowledged, try again. A
                // message committed without an answer may still be delivered; that is allowed.
                ++failed_submissions;
                if (Clock::now() > deadline) {
                    std::scoped_lock lock(mu);
                    problem = "could not submit message " + std::to_string(n) + ": " + Why(id);
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    };

    // Kills a random node every 1-2 s and restarts it, until the submitters are done and at least
    // kMinKills kills happened.
    auto killer = [&] {
        std::mt19937 rng(12345);
        int total = 0;
        while (submitting || total < kMinKills) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1000 + rng() % 1000));
            const std::size_t victim = rng() % f.Size();
            TestNode& node = f.Node(victim);
            if (auto d = node.Metric("concord_messages_duplicate")) {
                wire_duplicates += *d;
            }
            node.Kill();
            ++total;
            {
                std::scoped_lock lock(mu);
                ++kills[victim];
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
            if (auto restarted = node.Start(); !restarted) {
                std::scoped_lock lock(mu);
                problem = "restart failed: " + Why(restarted);
                return;
            }
        }
    };

    std::thread kill_thread(killer);
    std::vector<std::thread> submit_threads;
    for (int i = 0; i < kSubmitters; ++i) {
        submit_threads.emplace_back(submitter, 1000u + static_cast<unsigned>(i));
    }
    for (auto& t : submit_threads) {
        t.join();
    }
    submitting = false;
    kill_thread.join();
    const double submit_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    ASSERT_TRUE(problem.empty()) << problem;
    ASSERT_EQ(acked.size(), static_cast<std::size_t>(kMessages));
    for (std::size_t i = 0; i < f.Size(); ++i) {
        ASSERT_TRUE(f.Node(i).Running()) << f.Node(i).Id();
    }

    // Every outbox drains: all committed messages (acknowledged or not) get a receipt.
    std::map<std::size_t, std::vector<MessageRow>> outboxes;
    const bool drained = WaitFor(
        [&] {
            for (std::size_t i = 0; i < f.Size(); ++i) {
                auto out = f.Node(i).ListAll("outbox");
                if (!out) {
                    return false;
                }
                if (std::any_of(out->begin(), out->end(), [](const MessageRow& r) {
                        return r.status != "delivered";
                    })) {
                    return false;
                }
                outboxes[i] = std::move(*out);
            }
            return true;
        },
        std::chrono::seconds(300)
    );
    ASSERT_TRUE(drained) << "some outbox did not drain";

    std::size_t committed = 0;
    std::size_t inbox_total = 0;
    for (std::size_t r = 0; r < f.Size(); ++r) {
        TestNode& receiver = f.Node(r);
        auto inbox = receiver.ListAll("inbox");
        ASSERT_TRUE(inbox) << Why(inbox);
        inbox_total += inbox->size();
        std::multiset<std::string> ids;
        for (const auto& row : *inbox) {
            ids.insert(row.id);
        }
        // Zero duplicated business records.
        EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size())
            << "duplicated records in " << receiver.Id() << "'s inbox";
        // Zero lost: every acknowledged message is in its recipient's inbox, from its sender.
        std::map<std::string, std::string> sender_of;
        for (const auto& row : *inbox) {
            sender_of[row.id] = row.peer;
        }
        for (const auto& a : acked) {
            if (a.to != r) {
                continue;
            }
            auto it = sender_of.find(a.id);
            if (it == sender_of.end()) {
                ADD_FAILURE() << "lost: " << a.id << " from " << f.Node(a.from).Id() << " to "
                              << receiver.Id();
            } else {
                EXPECT_EQ(it->second, f.Node(a.from).Id()) << a.id;
            }
        }
        // Nothing arrives that its sender did not commit.
        for (const auto& row : *inbox) {
            bool known = false;
            for (std::size_t s = 0; s < f.Size(); ++s) {
                known =
                    known ||
                    (f.Node(s).Id() == row.peer &&
                     std::any_of(outboxes[s].begin(), outboxes[s].end(), [&](const MessageRow& o) {
                         return o.id == row.id;
                     }));
            }
            EXPECT_TRUE(known) << "inbox entry " << row.id << " has no committed origin";
        }
    }
    for (const auto& [i, rows] : outboxes) {
        committed += rows.size();
    }
    EXPECT_EQ(inbox_total, committed) << "every committed message arrives exactly once";

    for (std::size_t i = 0; i < f.Size(); ++i) {
        auto d = f.Node(i).Metric("concord_messages_duplicate");
        ASSERT_TRUE(d) << Why(d);
        wire_duplicates += *d;
    }
    int total_kills = 0;
    std::string kill_list;
    for (const auto& [i, n] : kills) {
        total_kills += n;
        kill_list += " " + f.Node(i).Id() + "=" + std::to_string(n);
    }
    std::cout << "chaos: " << acked.size() << " messages acknowledged, " << committed
              << " committed (" << committed - acked.size() << " committed without an answer), "
              << inbox_total << " received, " << total_kills << " SIGKILLs (" << kill_list << " ), "
              << failed_submissions << " submissions refused while a node was down, at least "
              << wire_duplicates
              << " wire duplicates answered with the first receipt; submit phase " << submit_seconds
              << " s, total " << std::chrono::duration<double>(Clock::now() - t0).count() << " s\n";
    EXPECT_GE(total_kills, kMinKills);

    f.ExpectCleanShutdown();
    for (std::size_t i = 0; i < f.Size(); ++i) {
        auto verified = f.Node(i).VerifyLedger();
        EXPECT_TRUE(verified) << Why(verified);
    }
}

}  // namespace
}  // namespace concord::functional
