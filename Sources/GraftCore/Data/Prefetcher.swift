import Foundation

/// Produces `count` items in order on a background thread, at most `depth`
/// ahead of the consumer, so decoding and augmentation of the next batch
/// overlap training on the current one. `cancel()` (called when the consumer's
/// handle goes away) stops the producer after the item it is making.
final class Prefetcher<Item>: @unchecked Sendable {
  private let condition = NSCondition()
  private var ready: [Int: Item] = [:]
  private var produced = 0
  private var consumed = 0
  private var cancelled = false
  private let count: Int
  private let depth: Int

  init(count: Int, depth: Int, produce: @escaping (Int) -> Item) {
    self.count = count
    self.depth = max(1, depth)
    let box = UncheckedSendable(produce)
    let thread = Thread { [self] in
      for i in 0..<count {
        self.condition.lock()
        while self.produced - self.consumed >= self.depth && !self.cancelled { self.condition.wait() }
        let stop = self.cancelled
        self.condition.unlock()
        if stop { return }
        let item = box.value(i)
        self.condition.lock()
        self.ready[i] = item
        self.produced += 1
        self.condition.broadcast()
        self.condition.unlock()
      }
    }
    thread.stackSize = 8 << 20
    thread.start()
  }

  /// The next item in order, waiting for the producer if needed; nil at the end.
  func next() -> Item? {
    condition.lock()
    defer { condition.unlock() }
    guard consumed < count else { return nil }
    while ready[consumed] == nil { condition.wait() }
    let item = ready.removeValue(forKey: consumed)
    consumed += 1
    condition.broadcast()
    return item
  }

  func cancel() {
    condition.lock()
    cancelled = true
    ready = [:]
    condition.broadcast()
    condition.unlock()
  }
}

/// Owns a prefetcher for its consumer; releasing the handle cancels the producer.
final class PrefetchHandle<Item> {
  let prefetcher: Prefetcher<Item>
  init(_ prefetcher: Prefetcher<Item>) { self.prefetcher = prefetcher }
  deinit { prefetcher.cancel() }
}

/// Carries a non-Sendable value to the producer thread, which is its only user
/// until the consumer receives what it made.
struct UncheckedSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
