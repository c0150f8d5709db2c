// consumer MODEL AUDIO: prints the library version, the model's beam (its
// MODEL.decode.conf, if any) and the transcript.
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
    const attend::DecodeOptions options = attend::ModelDecodeOptions(argv[1]);
    auto recognizer = attend::Recognizer::Load(argv[1], options);
    attend::Transcript t = recognizer->RecognizeFile(argv[2]);
    std::cout << "version " << attend::Version() << "\nbeam " << options.beam << "\nsegments "
              << t.segments.size() << "\nduration " << t.duration << "\ntext " << t.text << "\n";
  } catch (const std::exception& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
