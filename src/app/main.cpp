// digitlab: the desktop app. Usage: digitlab [IMAGE]  (an image opens in the Upload tab)
#include "main_window.h"
#include "startup_probe.h"

#include <digitlab/runtime.h>

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("DigitLab");
  QApplication::setOrganizationName("DigitLab");
  QApplication::setApplicationVersion(digitlab::digitlab_version());
  QApplication::setDesktopFileName("digitlab");

  QCommandLineParser parser;
  parser.setApplicationDescription("Handwritten digit recognition: draw, upload or train.");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("image", "An image of a digit to open in the Upload tab.", "[image]");
  parser.process(app);

  digitlab::configure_threads(0);
  digitlab::app::MainWindow window;
  new digitlab::app::StartupProbe(&window);  // bench/startup.sh only; owned by the window
  window.show();
  if (!parser.positionalArguments().isEmpty()) window.openImageFile(parser.positionalArguments().front());
  return QApplication::exec();
}
