// Times the surface numerics on a scan-sized map (default 2000 x 2000 at 20 um, a 4 cm x 4 cm
// cheek patch): form removal, ISO parameters, the Gaussian filter at 0.8 mm and 8 mm, and hole
// filling with 10 % of the points missing. Best of N runs, wall clock, printed as a Markdown table.
//   bench_surface [SIZE] [RUNS] [THREADS]   (THREADS: OpenCV threads, 0 = OpenCV's default)
//   bench_surface --read-x3p FILE [RUNS]    read_x3p alone: best CPU and wall ms, and the rise of the
//                                           peak RSS over the first read (the reader's own memory)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <numbers>
#include <opencv2/core.hpp>
#include <string>

#include "core/random.h"
#include "surface/fill.h"
#include "surface/x3p.h"
#include "surface/form.h"
#include "surface/gaussian_filter.h"
#include "surface/height_map.h"
#include "surface/parameters.h"

using namespace scarscope;

namespace {

// A cheek-like surface: curvature, waviness, fine roughness and a few pits, heights in um.
HeightMap skin_like(int n, double dx) {
  HeightMap map(n, n, dx, dx);
  Random random(42);
  const double pi = std::numbers::pi;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const double x = c * dx / 1000.0, y = r * dx / 1000.0;  // mm
      double z = 30.0 * (x - 20.0) * (x - 20.0) / 40.0 + 15.0 * (y - 20.0) * (y - 20.0) / 40.0;
      z += 25.0 * std::sin(2.0 * pi * x / 7.0) * std::cos(2.0 * pi * y / 9.0);
      z += 6.0 * std::sin(2.0 * pi * (x + 0.3 * y) / 0.9);
      z += random.gaussian(0.0, 2.0);
      for (int k = 0; k < 20; ++k) {
        const double px = 2.0 + 1.8 * k, py = 4.0 + 1.5 * (k % 7) * 3.0;
        const double d2 = (x - px) * (x - px) + (y - py) * (y - py);
        z -= 300.0 * std::exp(-d2 / (2.0 * 0.25 * 0.25));
      }
      map.set(r, c, static_cast<float>(z));
    }
  }
  return map;
}

// 10 % missing: scattered points plus a few larger dropouts (steep pit walls, a shadowed corner).
void punch_holes(HeightMap& map) {
  Random random(7);
  const int n = map.nx();
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      if (random.chance(0.08)) map.set_missing(r, c);
    }
  }
  const int blobs[][3] = {{n / 4, n / 3, n / 25}, {n / 2, n / 2, n / 20}, {3 * n / 4, n / 5, n / 30}};
  for (const auto& blob : blobs) {
    for (int r = std::max(0, blob[0] - blob[2]); r < std::min(n, blob[0] + blob[2]); ++r) {
      for (int c = std::max(0, blob[1] - blob[2]); c < std::min(n, blob[1] + blob[2]); ++c) {
        if ((r - blob[0]) * (r - blob[0]) + (c - blob[1]) * (c - blob[1]) <= blob[2] * blob[2]) map.set_missing(r, c);
      }
    }
  }
  for (int r = 0; r < n / 10; ++r) {
    for (int c = 0; c < n / 10 - r; ++c) map.set_missing(r, c);
  }
}

// Best wall-clock and best process CPU time over `runs`, in ms, as " wall | cpu " table cells.
// On a shared, loaded machine the CPU time is the steadier figure (with one OpenCV thread it is
// the work itself; with more it sums the threads).
std::string best_ms(int runs, const std::function<void()>& work) {
  double best_wall = 1e300, best_cpu = 1e300;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    work();
    const std::clock_t cpu_stop = std::clock();
    const auto stop = std::chrono::steady_clock::now();
    best_wall = std::min(best_wall, std::chrono::duration<double, std::milli>(stop - start).count());
    best_cpu = std::min(best_cpu, 1000.0 * static_cast<double>(cpu_stop - cpu_start) / CLOCKS_PER_SEC);
  }
  char cells[64];
  std::snprintf(cells, sizeof cells, "%.1f | %.1f", best_wall, best_cpu);
  return cells;
}

// Peak resident set size so far (VmHWM), in kB.
long peak_rss_kb() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (!status) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, status)) {
    if (std::sscanf(line, "VmHWM: %ld", &kb) == 1) break;
  }
  std::fclose(status);
  return kb;
}

int read_x3p_bench(const char* path, int runs) {
  const long before = peak_rss_kb();
  std::size_t points = 0;
  {
    const HeightMap map = read_x3p(path);
    points = map.size();
  }
  const long rise = peak_rss_kb() - before;
  volatile float sink = 0.0f;
  const std::string cells = best_ms(runs, [&] { sink = read_x3p(path).heights()[0]; });
  std::printf("read_x3p %s: %zu points, best of %d: wall ms | CPU ms = %s; peak RSS rise %.1f MB "
              "(the float32 map and its mask are %.1f MB)\n",
              path, points, runs, cells.c_str(), rise / 1024.0, points * 5.0 / (1024.0 * 1024.0));
  // The other full-size passes of the reading path: what the analysis does next with the map.
  HeightMap map = read_x3p(path);
  const std::string normalize = best_ms(runs, [&] {
    map.normalize_missing();
    sink = map.heights()[0];
  });
  const std::string parameters = best_ms(runs, [&] { sink = static_cast<float>(compute_surface_parameters(map).Sdr_pct); });
  std::printf("  normalize_missing: %s; compute_surface_parameters: %s (wall ms | CPU ms)\n", normalize.c_str(),
              parameters.c_str());
  return sink == 12345.0f ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::string(argv[1]) == "--read-x3p") return read_x3p_bench(argv[2], argc > 3 ? std::atoi(argv[3]) : 5);
  const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  if (n < 16 || runs < 1) {
    std::fprintf(stderr, "usage: bench_surface [SIZE>=16] [RUNS>=1] [THREADS]\n");
    return 2;
  }
  if (threads > 0) cv::setNumThreads(threads);
  const double dx = 20.0;
  const HeightMap map = skin_like(n, dx);
  HeightMap holey = map.clone();
  punch_holes(holey);
  const double missing_pct = 100.0 * (1.0 - static_cast<double>(holey.valid_count()) / holey.size());

  std::printf("Surface numerics, %d x %d at %.0f um, best of %d, OpenCV threads %d\n\n", n, n, dx, runs,
              cv::getNumThreads());
  std::printf("| Operation | wall ms | CPU ms |\n|---|---|---|\n");
  volatile double sink = 0.0;
  std::printf("| remove_form degree 1 (plane) | %s |\n", best_ms(runs, [&] { sink = remove_form(map, 1).heights()[0]; }).c_str());
  std::printf("| remove_form degree 2 | %s |\n", best_ms(runs, [&] { sink = remove_form(map, 2).heights()[0]; }).c_str());
  std::printf("| remove_form degree 4 | %s |\n", best_ms(runs, [&] { sink = remove_form(map, 4).heights()[0]; }).c_str());
  const HeightMap levelled = remove_form(map, 2);
  std::printf("| compute_surface_parameters (Sa..Sdr) | %s |\n",
              best_ms(runs, [&] { sink = compute_surface_parameters(levelled).Sdr_pct; }).c_str());
  for (double cutoff : {800.0, 8000.0}) {
    for (GaussianFilterMethod method : {GaussianFilterMethod::automatic, GaussianFilterMethod::direct}) {
      const char* how = method == GaussianFilterMethod::automatic ? "automatic" : "direct";
      std::printf("| gaussian_filter cutoff %.1f mm (sigma %.1f px), %s | %s |\n", cutoff / 1000.0,
                  gaussian_sigma_um(cutoff) / dx, how,
                  best_ms(runs, [&] { sink = gaussian_filter(map, cutoff, method).heights()[0]; }).c_str());
    }
  }
  std::printf("| gaussian_filter cutoff 8 mm, automatic, %.1f %% missing | %s |\n", missing_pct,
              best_ms(runs, [&] { sink = gaussian_filter(holey, 8000.0).heights()[0]; }).c_str());
  std::printf("| fill_missing, %.1f %% missing (8 %% scattered, 3 blobs, a corner) | %s |\n", missing_pct,
              best_ms(runs, [&] {
                HeightMap copy = holey.clone();
                fill_missing(copy);
                sink = copy.heights()[0];
              }).c_str());
  // Accuracy of the fill against the surface the holes were punched in (interior points).
  HeightMap filled = holey.clone();
  fill_missing(filled);
  double worst = 0.0, sum_sq = 0.0;
  std::size_t count = 0;
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      if (holey.valid(r, c)) continue;
      const double e = filled.height(r, c) - map.height(r, c);
      worst = std::max(worst, std::fabs(e));
      sum_sq += e * e;
      ++count;
    }
  }
  std::printf("\nfill_missing vs the surface before punching: rms %.2f um, worst %.1f um over %zu points "
              "(roughness and pits inside the holes cannot be guessed; this is not a solver error)\n",
              std::sqrt(sum_sq / static_cast<double>(count)), worst, count);
  return sink == 12345.678 ? 1 : 0;
}
