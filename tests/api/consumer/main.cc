// consumer MODEL AUDIO: prints the library version and the transcript.
#include <attend/recognizer.h>
#include <attend/version.h>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer MODEL AUDIO\n";
    return 2;
  }
  try {
    auto recognizer = attend::Recognizer::Load(argv[1]);
    attend::Transcript t = recognizer->RecognizeFile(argv[2]);
    std::cout << "version " << attend::Version() << "\nsegments " << t.segments.size()
              << "\nduration " << t.duration << "\ntext " << t.text << "\n";
  } catch (const std::exception& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
