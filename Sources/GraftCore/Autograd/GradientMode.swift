/// Whether operations record backward steps. Thread- and task-local, so a data
/// loader thread running augmentation never sees another thread's setting.
public enum GradientMode {
  @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording any backward step: inference, frozen bases,
/// optimizer updates. Like `torch.no_grad()`.
@inlinable
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
  try GradientMode.$isEnabled.withValue(false) { try body() }
}
