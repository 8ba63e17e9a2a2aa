// How many threads OpenCV's own pool may use inside one workflow call. OpenCV's setting is one for
// the whole process, so the caller sets it once, at start, before any workflow runs: a server or a
// worker that runs one analysis per thread of its own sets 1 (its threads are the parallelism; more
// would oversubscribe the cores); a CLI analysing one scan leaves OpenCV its default. The results
// do not depend on it.
#pragma once

namespace scarscope {

// 0 keeps OpenCV's default (one thread per core); n >= 1 uses n threads.
void set_library_threads(int opencv_threads);

}  // namespace scarscope
