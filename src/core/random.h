// ScarScope's own deterministic random numbers: xoshiro256** (Blackman & Vigna's reference
// algorithm, checked against its published outputs in tests/synth/test_random.cpp) seeded through
// splitmix64, and our own samplers. The standard library's distributions differ between implementations, so
// synthetic data made with them would differ between machines; these give the same numbers
// everywhere for the same seed (integer arithmetic plus IEEE sqrt/log/cos).
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace scarscope {

// One step of splitmix64: a good 64-bit mixer, also used to hash coordinates and names.
std::uint64_t splitmix64(std::uint64_t& state);
// Mixes a value into one well-distributed 64-bit number (stateless splitmix64 finaliser).
std::uint64_t mix64(std::uint64_t value);
// A stable 64-bit hash of a name (FNV-1a then mix64): turns "pores" into a stream number.
std::uint64_t stable_hash(std::string_view name);

class Random {
 public:
  // Seeded as the reference implementation documents: a splitmix64 generator started at `seed`
  // fills the four state words in order.
  explicit Random(std::uint64_t seed);
  // A generator in exactly this state (for checks against the reference implementation; the state
  // must not be all zeros). Its seed() is 0.
  static Random from_state(const std::array<std::uint64_t, 4>& state);

  // An independent generator for a named purpose: the same (seed, stream) always gives the same
  // numbers, whatever else was drawn from this one. Lets the skin stay the same in a follow-up
  // while the noise changes.
  Random fork(std::uint64_t stream) const;
  Random fork(std::string_view stream) const { return fork(stable_hash(stream)); }

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in [low, high).
  double uniform(double low, double high);
  // Uniform integer in [low, high] (inclusive), without modulo bias.
  std::int64_t uniform_int(std::int64_t low, std::int64_t high);
  // True with probability p.
  bool chance(double p);
  // Standard normal (Marsaglia polar method; the second value of each pair is kept for the next call).
  double gaussian();
  double gaussian(double mean, double sd) { return mean + sd * gaussian(); }
  // Poisson-distributed count with the given mean (Knuth for small means, rounded normal above 60).
  std::int64_t poisson(double mean);

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::array<std::uint64_t, 4> state_{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace scarscope
