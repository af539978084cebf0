#include <digitlab/runtime.h>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "front/engine.h"

#include <stdexcept>
#include <string>

namespace {

// The message of the std::runtime_error configure_threads(threads) throws, or "" if it throws nothing.
std::string configure_error(int threads) {
  try {
    digitlab::configure_threads(threads);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// The benchmark trains LibTorch directly, before anything has asked for the engine: the count must reach LibTorch
// all the same (it starts with one thread here). ctest runs each test in a fresh process, so nothing has loaded the
// engine before this one.
TEST(Runtime, ConfigureThreadsReachesLibTorchBeforeTheEngineIsUsed) {
  const int before = at::get_num_threads();
  digitlab::configure_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  if (digitlab::available_cores() >= 2) {
    digitlab::configure_threads(2);
    EXPECT_EQ(at::get_num_threads(), 2);
  }
  at::set_num_threads(before);
}

TEST(Runtime, ConfigureThreadsRefusesAbsurdCounts) {
  digitlab::engine();  // loaded: configure_threads() then sets LibTorch's threads as well as DigitLab's kernels'
  const int before = at::get_num_threads();
  const int most = digitlab::kMaxThreadsPerCore * digitlab::available_cores();
  const std::string error = configure_error(100000);
  EXPECT_NE(error.find("100000"), std::string::npos) << error;
  EXPECT_NE(error.find("at most " + std::to_string(most)), std::string::npos) << error;
  EXPECT_NE(configure_error(-1), "");
  EXPECT_EQ(configure_error(most), "");
  EXPECT_EQ(at::get_num_threads(), most);
  EXPECT_EQ(digitlab::native_threads(), most);
  EXPECT_NE(configure_error(most + 1), "");
  EXPECT_EQ(configure_error(0), "");
  EXPECT_EQ(at::get_num_threads(), digitlab::available_cores());
  EXPECT_EQ(digitlab::native_threads(), digitlab::available_cores());
  at::set_num_threads(before);
}
