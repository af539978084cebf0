// A cell of the confusion matrix opens the test images in it, each with its map: measured again on all 10,000
// MNIST test images, and after a tiny training run in the Train tab. Slow.
#include "confusion_cell_dialog.h"
#include "confusion_matrix_view.h"
#include "main_window.h"
#include "train_tab.h"

#include <QListWidget>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using digitlab::app::ConfusionCellDialog;

namespace {

const QString kMnistDir = QStringLiteral(DIGITLAB_MNIST_DIR);

/// Every listed image has true class `t` and answer `p`; returns how many there are.
int checkCell(const ConfusionCellDialog& dialog, int t, int p) {
  const QListWidget* list = dialog.list();
  for (int i = 0; i < list->count(); ++i) {
    if (list->item(i)->data(ConfusionCellDialog::kTrueRole).toInt() != t) return -1;
    if (list->item(i)->data(ConfusionCellDialog::kPredictedRole).toInt() != p) return -1;
    if (list->item(i)->icon().isNull()) return -1;
  }
  return list->count();
}

}  // namespace

class ExplainCellsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }

  void cellOfTheShippedModelListsItsImages() {
    digitlab::TrainConfig config;
    config.data_dir = kMnistDir.toStdString();
    ConfusionCellDialog dialog(QStringLiteral(DIGITLAB_SOURCE_DIR "/models/digitnet.pt"), config, 4, 9);
    dialog.show();
    QTRY_VERIFY_WITH_TIMEOUT(dialog.finished(), 120000);
    qInfo("%s", qPrintable(dialog.summary()));
    QVERIFY2(dialog.summary().contains("of 4 were read as 9") || dialog.summary().contains("of 4 was read as 9"),
             qPrintable(dialog.summary()));
    const int n = checkCell(dialog, 4, 9);
    QVERIFY2(n > 0, qPrintable(QString("%1 images listed").arg(n)));
  }

  void clickingACellAfterARunOpensIt() {
    QTemporaryDir tmp;
    digitlab::app::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* train = window.trainTab();
    window.tabs()->setCurrentWidget(train);
    digitlab::TrainConfig c;
    c.epochs = 1;
    c.batch_size = 32;
    c.limit = 600;
    c.augment = false;
    c.device = "cpu";
    c.data_dir = kMnistDir.toStdString();
    train->setConfig(c);
    train->setOutputFolder(tmp.filePath("runs"));
    train->start();
    QTRY_VERIFY_WITH_TIMEOUT(!train->busy(), 300000);
    auto* matrix = train->findChild<digitlab::app::ConfusionMatrixView*>();
    // The largest mistake of the run.
    int t = -1, p = -1;
    qint64 most = 0;
    for (int l = 0; l < matrix->rowCount(); ++l)
      for (int q = 0; q < matrix->columnCount(); ++q)
        if (l != q && matrix->item(l, q)->text().toLongLong() > most) {
          most = matrix->item(l, q)->text().toLongLong();
          t = l;
          p = q;
        }
    QVERIFY(t >= 0);
    matrix->scrollToItem(matrix->item(t, p));
    QTest::mouseClick(matrix->viewport(), Qt::LeftButton, {}, matrix->visualItemRect(matrix->item(t, p)).center());
    auto* dialog = train->findChild<ConfusionCellDialog*>();
    QVERIFY(dialog != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->finished(), 120000);
    qInfo("%s", qPrintable(dialog->summary()));
    // As many as the cell counts, up to the most shown, each with the cell's labels.
    QCOMPARE(checkCell(*dialog, t, p), static_cast<int>(std::min<qint64>(most, ConfusionCellDialog::kMostShown)));
  }
};

QTEST_MAIN(ExplainCellsTest)
#include "test_explain_cells.moc"
