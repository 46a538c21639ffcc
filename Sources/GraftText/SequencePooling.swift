/// How `LSTMClassifier` turns the LSTM's outputs [B, T, D·H] into one vector per sequence.
public enum SequencePooling: String, Codable, CaseIterable, Sendable {
  /// The final hidden state of the last layer (`h_n`, after each sequence's last valid step;
  /// both directions concatenated when bidirectional), as the usual PyTorch recipe.
  case last
  /// The element-wise maximum over the valid steps.
  case max
  /// The mean over the valid steps.
  case mean
}
