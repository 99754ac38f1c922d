package videollama.loader.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import videollama.testing.FuzzFiles;
import videollama.loader.LoaderException;

/**
 * Jazzer fuzz test of {@link ImageLoader#load} on JPEG and PNG bytes (headers, dimensions, colour models, damaged
 * data): any bytes either load as the model's 224×224 frame or are refused with a one-line {@link LoaderException}
 * naming the file; never another exception, an out-of-memory error or a hang. Seeds: tiny JPEGs and PNGs of each
 * colour model, in {@code src/test/resources/videollama/loader/image/ImageFuzzTestInputs/loadImage/}.
 */
class ImageFuzzTest {
    @FuzzTest
    void loadImage(byte[] input) {
        Path file = FuzzFiles.write(".png", input);
        try {
            ImageLoader.load(file);
        } catch (LoaderException e) {
            FuzzFiles.checkRefusal(e, file);
        }
    }
}
