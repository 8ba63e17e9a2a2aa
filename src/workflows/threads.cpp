#include "workflows/threads.h"

#include <opencv2/core.hpp>

namespace scarscope {

void set_library_threads(int opencv_threads) {
  // OpenCV: a negative number restores its default.
  cv::setNumThreads(opencv_threads <= 0 ? -1 : opencv_threads);
}

}  // namespace scarscope
