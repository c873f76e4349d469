import Foundation
import Synchronization

/// The cores this process may use, asked once: Foundation reads the cgroup's quota and cpuset files
/// each time it is asked, and a one-notice rebuild asked 42 times (some 250 system calls). Only how
/// work is split depends on it, never what is made (`inChunks` joins its ranges in order).
let availableCores = ProcessInfo.processInfo.activeProcessorCount

/// Runs `work` on `count` items split into one contiguous range per core, all at once, and gives
/// the results back in range order, so whatever is joined from them is the same on every run.
/// Fewer than `minimum` items per range are not worth a thread: they run as one range.
func inChunks<T: Sendable>(_ count: Int, minimum: Int = 1024, _ work: @Sendable (Range<Int>) -> T) -> [T] {
    let chunks = max(1, min(availableCores, count / max(1, minimum)))
    guard chunks > 1 else { return [work(0..<count)] }
    let results = Mutex<[T?]>(Array(repeating: nil, count: chunks))
    withoutActuallyEscaping(work) { work in
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
            let result = work(range)
            results.withLock { $0[chunk] = result }
        }
    }
    return results.withLock { $0.compactMap { $0 } }
}
