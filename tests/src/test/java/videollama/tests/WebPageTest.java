package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page of {@code videollama serve} in headless Chromium, driven by Selenium, against a server started here over the
 * bundled demo model: the bundled video uploaded with its sound track (the Audio box), a question asked, the answer
 * seen streaming in, the sampled frames shown with their times; then the lab view with its timings, the 32 video
 * queries' heat maps, the fbank pictures and the top-5 tokens. Screenshots of each view (the chat; the lab's stages, heat maps and
 * tokens) are kept under {@code target/web-screenshots/} and checked not to be blank.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; without them the test is skipped, saying so, except
 * where {@code VIDEOLLAMA_REQUIRE_CHROMIUM=1} (CI installs them), where it fails.
 */
class WebPageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target/web-screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private static final StringWriter serverLog = new StringWriter();
    private static DemoServer server;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "no headless Chromium here (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install chromium chromium-driver";
            if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_CHROMIUM"))) {
                throw new AssertionError("VIDEOLLAMA_REQUIRE_CHROMIUM=1, but " + missing);
            }
            Assumptions.abort(missing);
        }
        TestFiles.ffmpegOrSkip(); // the page's upload is an MP4 with AAC sound
        server = DemoServer.start(serverLog);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(), options);
    }

    /** The browser, then the server, each if it was started (try-with-resources skips a null server). */
    @AfterAll
    static void stop() {
        try (DemoServer _ = server) {
            if (browser != null) {
                browser.quit();
            }
        }
    }

    @Test
    void asksAboutTheBundledVideoAndShowsTheLabView() throws IOException {
        browser.get(server.url("/"));
        browser.findElement(By.id("file")).sendKeys(DemoServer.video().toAbsolutePath().toString());
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
        wait.until(b -> !b.findElements(By.cssSelector("#preview video")).isEmpty());
        browser.findElement(By.id("audio")).click();
        // temperature 0.1, the slider's least: nearly the greedy answer, which is not empty on the demo model
        js("const t = document.getElementById('temperature'); t.value = '0.1'; t.dispatchEvent(new Event('input'));");
        // every length the answer's bubble has while it fills: more than one means it streamed in
        js("window.lengths = []; new MutationObserver(() => { const b = document.querySelector('.assistant');"
                + " if (b) window.lengths.push(b.textContent.length); })"
                + ".observe(document.getElementById('history'), { childList: true, subtree: true, characterData: true });");
        browser.findElement(By.id("question")).sendKeys("What is happening in this video?");
        browser.findElement(By.id("send")).click();

        wait.until(b -> b.findElements(By.cssSelector("#frames img")).size() == 8);
        assertEquals("", browser.findElement(By.id("status")).getText(), "no error: " + serverLog);
        String answer = browser.findElement(By.cssSelector(".assistant")).getText();
        assertFalse(answer.isBlank(), "an answer: " + serverLog);
        List<?> lengths = (List<?>) js("return window.lengths;");
        Set<Object> distinct = new HashSet<>(lengths);
        distinct.remove(0L);
        assertTrue(distinct.size() >= 2, "the answer arrived in pieces, the bubble's lengths were " + lengths);
        List<String> times = browser.findElements(By.cssSelector("#frames figcaption")).stream().map(WebElement::getText).toList();
        assertEquals("0.0 s", times.getFirst(), "the first frame's time: " + times);
        assertTrue(times.stream().allMatch(t -> t.matches("\\d+\\.\\d s")), "each frame with its time: " + times);
        checkNotBlank(screenshot("chat.png"));

        browser.findElement(By.id("tab-lab")).click();
        wait.until(b -> b.findElements(By.cssSelector("#all-queries .row")).size() == 32);
        assertEquals(8, browser.findElements(By.cssSelector("#query-frames canvas")).size(), "a heat map per frame");
        assertEquals(32 * 8, browser.findElements(By.cssSelector("#all-queries canvas")).size(), "every query's maps");
        assertEquals(8, browser.findElements(By.cssSelector("#fbank img")).size(), "a picture per sound clip");
        assertTrue(browser.findElements(By.cssSelector("#tokens .card")).size() > 1, "a card per answer token");
        assertTrue(browser.findElement(By.id("times")).getText().contains("prefill"), "the stage times");
        assertTrue(browser.findElement(By.id("stages")).getText().contains("video.tokens"), "the stage shapes");
        // a heat map is the frame with its patches coloured: many colours, not one
        long colours = (Long) js("const c = document.querySelector('#query-frames canvas');"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const seen = new Set();"
                + " for (let i = 0; i < d.length; i += 4) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]); return seen.size;");
        assertTrue(colours > 100, "the heat map has " + colours + " colours");
        checkNotBlank(screenshot("lab-stages.png"));
        js("document.getElementById('attention-section').scrollIntoView();");
        checkNotBlank(screenshot("lab.png"));
        js("document.getElementById('tokens').scrollIntoView();");
        checkNotBlank(screenshot("lab-tokens.png"));

        // Restart, as the demo's: the conversation and the upload forgotten, a new file may be chosen
        browser.findElement(By.id("tab-chat")).click();
        browser.findElement(By.id("restart")).click();
        assertTrue(browser.findElements(By.cssSelector("#history .message")).isEmpty(), "the history is gone");
        assertTrue(browser.findElements(By.cssSelector("#frames img")).isEmpty(), "the frames are gone");
        assertTrue(browser.findElement(By.id("file")).isEnabled(), "a new upload may be chosen");
        browser.findElement(By.id("question")).sendKeys("And now?");
        browser.findElement(By.id("send")).click();
        assertEquals("Choose a video, image or sound first, then ask about it.", browser.findElement(By.id("status")).getText());
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name);
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** A blank page is one colour: the screenshot's luminance must vary, and many colours must be in it. */
    private static void checkNotBlank(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        double sum = 0;
        double squares = 0;
        Set<Integer> colours = new HashSet<>();
        int n = image.getWidth() * image.getHeight();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                double luminance = 0.299 * (rgb >> 16) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
                sum += luminance;
                squares += luminance * luminance;
            }
        }
        double variance = squares / n - (sum / n) * (sum / n);
        assertTrue(variance > 100 && colours.size() > 50, png + ": luminance variance " + variance + ", " + colours.size()
                + " colours: blank?");
    }
}
