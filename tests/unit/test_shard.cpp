#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "gen/shard.hpp"

namespace wyn {
namespace {

std::vector<std::string> names(const std::string& suite, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(suite + "/t" + std::to_string(100 + i));
  return out;
}

/// Every shard's names; checks on the way that the shards partition `all`.
std::vector<std::vector<std::string>> split(const std::vector<std::string>& all,
                                            const std::map<std::string, double>& durations,
                                            int count) {
  std::vector<std::vector<std::string>> shards;
  std::multiset<std::string> seen;
  for (int k = 1; k <= count; ++k) {
    shards.push_back(select_shard(all, durations, k, count));
    seen.insert(shards.back().begin(), shards.back().end());
  }
  EXPECT_EQ(seen, std::multiset<std::string>(all.begin(), all.end()));
  return shards;
}

double total(const std::vector<std::string>& shard,
             const std::map<std::string, double>& durations) {
  double sum = 0;
  for (const auto& n : shard) sum += durations.at(n);
  return sum;
}

/// A summary.json as the reporter writes it, with uneven durations.
nlohmann::json uneven_summary(const std::vector<std::string>& tests) {
  nlohmann::json summary = {{"schema", "wyn-ctest/summary/1"}, {"tests", nlohmann::json::array()}};
  for (size_t i = 0; i < tests.size(); ++i) {
    const double run = (i % 9 == 0) ? 4.0 + i * 0.1 : 0.05 * ((i * 37) % 11 + 1);
    summary["tests"].push_back(
        {{"name", tests[i]}, {"compile_seconds", 0.2}, {"run_seconds", run}});
  }
  return summary;
}

TEST(Shard, OneShardIsEverything) {
  const auto all = names("s", 5);
  EXPECT_EQ(select_shard(all, {}, 1, 1), all);
}

TEST(Shard, RoundRobinPartitionsEvenlyAndKeepsTheGivenOrder) {
  const auto all = names("s", 20);
  const auto shards = split(all, {}, 3);
  for (const auto& shard : shards) {
    EXPECT_TRUE(shard.size() == 6 || shard.size() == 7) << shard.size();
    EXPECT_TRUE(std::is_sorted(shard.begin(), shard.end()));
  }
}

TEST(Shard, TheSplitDoesNotDependOnTheOrderOfTheNames) {
  auto all = names("s", 17);
  const auto durations = recorded_durations(uneven_summary(all));
  const auto before = assign_shards(all, durations, 4);
  const auto before_rr = assign_shards(all, {}, 4);
  std::reverse(all.begin(), all.end());
  EXPECT_EQ(assign_shards(all, durations, 4), before);
  EXPECT_EQ(assign_shards(all, {}, 4), before_rr);
}

TEST(Shard, ManySmallSuitesDoNotAllLoadShardOne) {
  std::map<int, int> tests_per_shard;
  for (int suite = 0; suite < 30; ++suite)
    for (const auto& [name, shard] :
         assign_shards(names("suite" + std::to_string(suite), 2), {}, 3))
      ++tests_per_shard[shard];
  for (const auto& [shard, n] : tests_per_shard) EXPECT_GT(n, 10) << "shard " << shard;
}

TEST(Shard, RecordedDurationsAreCompilePlusRun) {
  const nlohmann::json summary = {
      {"tests",
       {{{"name", "s/a"}, {"compile_seconds", 0.5}, {"run_seconds", 2.0}},
        {{"name", "s/b"}, {"run_seconds", 1.0}},
        {{"status", "passed"}},  // no name: ignored
        "not an object"}}};
  const auto d = recorded_durations(summary);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_DOUBLE_EQ(d.at("s/a"), 2.5);
  EXPECT_DOUBLE_EQ(d.at("s/b"), 1.0);
  EXPECT_TRUE(recorded_durations(nlohmann::json::array()).empty());
}

TEST(Shard, LongestFirstOntoTheLeastLoadedShard) {
  const std::map<std::string, double> d = {{"s/a", 5}, {"s/b", 4}, {"s/c", 3},
                                           {"s/d", 3}, {"s/e", 2}, {"s/f", 1}};
  std::vector<std::string> all;
  for (const auto& [n, s] : d) all.push_back(n);
  // By hand: a -> 1 (5), b -> 2 (4), c -> 2 (7), d -> 1 (8), e -> 2 (9), f -> 1 (9).
  EXPECT_EQ(select_shard(all, d, 1, 2), (std::vector<std::string>{"s/a", "s/d", "s/f"}));
  EXPECT_EQ(select_shard(all, d, 2, 2), (std::vector<std::string>{"s/b", "s/c", "s/e"}));
}

TEST(Shard, RecordedDurationsBalanceShardsWithin20PercentOfTheMean) {
  const auto all = names("s", 40);
  const auto durations = recorded_durations(uneven_summary(all));
  const auto shards = split(all, durations, 3);
  std::vector<double> totals;
  for (const auto& shard : shards) totals.push_back(total(shard, durations));
  const double mean = std::accumulate(totals.begin(), totals.end(), 0.0) / totals.size();
  for (double t : totals) EXPECT_LE(std::abs(t - mean), 0.2 * mean) << t << " vs mean " << mean;
  // Round-robin on the same suite is far off: the check above can fail.
  std::vector<double> rr;
  for (const auto& shard : split(all, {}, 3)) rr.push_back(total(shard, durations));
  EXPECT_GT(*std::max_element(rr.begin(), rr.end()) - *std::min_element(rr.begin(), rr.end()),
            0.2 * mean);
}

TEST(Shard, TestsWithoutARecordCountAsTheMedian) {
  // Recorded 1, 2, 3: "s/new" counts as 2 and comes before "s/a" (1):
  // c -> 1 (3), b -> 2 (2), new -> 2 (4), a -> 1 (4). As 0 it would go last, onto shard 1.
  const std::map<std::string, double> d = {{"s/a", 1}, {"s/b", 2}, {"s/c", 3}};
  const std::vector<std::string> all = {"s/a", "s/b", "s/c", "s/new"};
  EXPECT_EQ(select_shard(all, d, 1, 2), (std::vector<std::string>{"s/a", "s/c"}));
  EXPECT_EQ(select_shard(all, d, 2, 2), (std::vector<std::string>{"s/b", "s/new"}));
}

TEST(Shard, SuitesSplitSeparatelyStillBalanceTogether) {
  // Each suite is scanned on its own; the other suites' recorded tests take
  // part as load, so the shards balance over the whole run.
  const auto big = names("big", 12), small = names("small", 12);
  std::vector<std::string> both = big;
  both.insert(both.end(), small.begin(), small.end());
  std::map<std::string, double> d;
  for (const auto& n : big) d[n] = 3.0;
  for (const auto& n : small) d[n] = 0.5;
  d["big/t100"] = 9.0;
  std::vector<double> totals(3, 0);
  for (int k = 1; k <= 3; ++k)
    for (const auto* suite : {&big, &small})
      totals[k - 1] += total(select_shard(*suite, d, k, 3), d);
  const double mean = (totals[0] + totals[1] + totals[2]) / 3;
  for (double t : totals) EXPECT_LE(std::abs(t - mean), 0.2 * mean) << t;
}

TEST(Shard, KeepOwnShardDropsOtherTestsButNotModules) {
  SuiteConfig config;
  config.shard_index = 2;
  config.shard_count = 2;
  config.shard_durations = "/nonexistent/summary.json";
  std::vector<TestSpec> specs;
  for (const char* n : {"s/a", "s/b", "s/lib", "s/c", "s/d"}) specs.push_back({n, "", "", ""});
  const std::vector<std::string> tests = {"s/a", "s/b", "s/c", "s/d"};
  const std::string account = keep_own_shard(config, tests, specs);
  EXPECT_EQ(account,
            "shard 2/2 (round-robin: /nonexistent/summary.json does not exist yet): 2 of 4 tests");
  std::vector<std::string> kept;
  for (const auto& s : specs) kept.push_back(s.name);
  EXPECT_EQ(kept.size(), 3u);
  EXPECT_NE(std::find(kept.begin(), kept.end(), "s/lib"), kept.end());

  SuiteConfig unsharded;
  std::vector<TestSpec> all = specs;
  EXPECT_EQ(keep_own_shard(unsharded, tests, all), "");
  EXPECT_EQ(all.size(), specs.size());
}

}  // namespace
}  // namespace wyn
