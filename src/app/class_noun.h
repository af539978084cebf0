#pragma once
// What the app calls the things a model reads, decided once from the model's class names: "digit" for a model of
// the ten digits 0..9 in order, "symbol" for any other (letters, clothes, one's own symbols). The tabs, the result
// panel and the chart word their prompts by it, and offer number mode only for digits.

#include <QCoreApplication>
#include <QString>

#include <string>
#include <vector>

namespace digitlab::app {

class ClassNoun {
  Q_DECLARE_TR_FUNCTIONS(ClassNoun)

 public:
  /// Digits: what the app says before any model is loaded.
  ClassNoun() = default;
  /// The noun for a model with these class names.
  explicit ClassNoun(const std::vector<std::string>& names) : digits_(areDigits(names)) {}

  /// True when `names` are the ten digits "0".."9", in order.
  static bool areDigits(const std::vector<std::string>& names);

  /// True for a digit model.
  bool digits() const { return digits_; }
  /// `digitText` for a digit model, else `symbolText`: callers pass whole translated sentences, so that each
  /// language words both itself.
  QString pick(const QString& digitText, const QString& symbolText) const { return digits_ ? digitText : symbolText; }
  /// Why number mode is off for this model (it reads the digits of a number), or empty for a digit model.
  QString numberModeUnavailable() const;

 private:
  bool digits_ = true;
};

}  // namespace digitlab::app
