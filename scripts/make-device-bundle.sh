#!/usr/bin/env bash
# Builds what a GPU machine needs to run Video-LLaMA.java and its CUDA tests without Java or Maven there:
#
#   device-bundle/java/              a jlink runtime of Java 25 (java.base, java.logging, jdk.unsupported,
#                                    java.management, jdk.incubator.vector; --compress=zip-9: about 45 MB)
#   device-bundle/videollama.jar     the application (app/target/videollama.jar, every module shaded in, less
#                                    FFmpeg's natives: media are read by the Java decoders there)
#   device-bundle/test-classes/      the kernels module's compiled tests
#   device-bundle/test-lib/          JUnit 5 (Jupiter engine, params, platform launcher) from ~/.m2
#   device-bundle/runner/            CudaTestRunner: runs JUnit tests through the platform launcher
#   device-bundle/run-cuda-tests.sh  runs the CUDA tests (all of videollama.kernels.cuda, or the classes named)
#
# device-bundle/ is ignored by git. Carry it to the GPU machine next to the working tree (the device tool's
# `carry: ["device-bundle"]`; about 50 MB of its 64 MiB) and, from the repository root there:
#
#   device-bundle/run-cuda-tests.sh                        every CUDA test but the Emulated* ones (CPU emulation);
#                                                          VIDEOLLAMA_REQUIRE_CUDA=1 is set, so a missing driver
#                                                          fails them instead of skipping
#   device-bundle/run-cuda-tests.sh CudaOpsTest CudaGraphTest    only these classes
#   device-bundle/java/bin/java -jar device-bundle/videollama.jar devices
#   device-bundle/java/bin/java -jar device-bundle/videollama.jar bench --backend cuda --shape llama2-7b --dtype f16 --profile
#
# PtxTest also runs there: it reads the .cu and .ptx files of the working tree and uses the machine's nvcc/ptxas
# when they are on the PATH; NvrtcTest compiles every program with the machine's NVRTC (the bundle has no
# cuda-redist jar). The backend itself uses NVRTC's cubins there; `devices` says so, and VIDEOLLAMA_NVRTC=off
# runs the same tests on the committed PTX: run both.
#
# Options: EXTRA_MODULES=java.desktop,java.sql adds modules to the runtime (jdeps lists what the jar references;
# the decode path needs neither, and they add about 19 MB). Needs Java 25 (scripts/java25.sh finds it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java25.sh
OUT=device-bundle
MODULES="java.base,java.logging,jdk.unsupported,java.management,jdk.incubator.vector${EXTRA_MODULES:+,$EXTRA_MODULES}"

echo "bundle: building the application and the tests' classes" >&2
./mvnw -B -q -ntp -pl app -am package -DskipTests

rm -rf "$OUT"
mkdir -p "$OUT/test-lib" "$OUT/runner"
cp app/target/videollama.jar "$OUT/videollama.jar"
# FFmpeg's shared libraries (27 MB) would push the bundle past the device tool's 64 MiB: the GPU checks read no media
# files, and without them `devices` says "media: java (FFmpeg natives did not load ...)" and chat decodes in Java.
if ! command -v zip >/dev/null; then
  echo "bundle: the zip command is needed to leave FFmpeg's natives out of the jar (apt-get install zip)" >&2
  exit 1
fi
zip -q -d "$OUT/videollama.jar" 'org/bytedeco/ffmpeg/linux-x86_64/*' >/dev/null
cp -r kernels/target/test-classes "$OUT/test-classes"

echo "bundle: jlink runtime with $MODULES" >&2
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --compress=zip-9 --strip-debug --no-header-files --no-man-pages \
  --output "$OUT/java" 2> >(grep -v "Using incubator modules" >&2)
needed="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$OUT/videollama.jar" 2>/dev/null || true)"
echo "bundle: jdeps says the jar references $needed (the runtime has $MODULES)" >&2

# JUnit, at the versions the build uses: Jupiter from the parent pom, the platform 1.x that goes with Jupiter 5.x,
# opentest4j and apiguardian as Jupiter's pom names them.
M2="${MAVEN_REPOSITORY:-$HOME/.m2/repository}"
jupiter="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)"
platform="1.${jupiter#5.}"
api_pom="$M2/org/junit/jupiter/junit-jupiter-api/$jupiter/junit-jupiter-api-$jupiter.pom"
version_in_pom() { grep -A1 "<artifactId>$1</artifactId>" "$api_pom" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | head -1; }
opentest4j="$(version_in_pom opentest4j)"
apiguardian="$(version_in_pom apiguardian-api)"
for jar in \
  "org/junit/jupiter/junit-jupiter-api/$jupiter/junit-jupiter-api-$jupiter.jar" \
  "org/junit/jupiter/junit-jupiter-engine/$jupiter/junit-jupiter-engine-$jupiter.jar" \
  "org/junit/jupiter/junit-jupiter-params/$jupiter/junit-jupiter-params-$jupiter.jar" \
  "org/junit/platform/junit-platform-commons/$platform/junit-platform-commons-$platform.jar" \
  "org/junit/platform/junit-platform-engine/$platform/junit-platform-engine-$platform.jar" \
  "org/junit/platform/junit-platform-launcher/$platform/junit-platform-launcher-$platform.jar" \
  "org/opentest4j/opentest4j/$opentest4j/opentest4j-$opentest4j.jar" \
  "org/apiguardian/apiguardian-api/$apiguardian/apiguardian-api-$apiguardian.jar"; do
  if [ ! -f "$M2/$jar" ]; then
    echo "bundle: $M2/$jar is missing (run the tests once with ./mvnw so Maven fetches JUnit)" >&2
    exit 1
  fi
  cp "$M2/$jar" "$OUT/test-lib/"
done

cat > "$OUT/runner/CudaTestRunner.java" <<'JAVA'
import static org.junit.platform.engine.discovery.ClassNameFilter.excludeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the tests of videollama.kernels.cuda but the Emulated* ones (the CPU emulation is for machines without a
 * GPU), or the classes named (simple names), and prints each result.
 */
public class CudaTestRunner {
    public static void main(String[] args) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        if (args.length == 0) {
            request.selectors(selectPackage("videollama.kernels.cuda")).filters(excludeClassNamePatterns(".*\\.Emulated.*"));
        }
        for (String name : args) {
            request.selectors(selectClass(name.contains(".") ? name : "videollama.kernels.cuda." + name));
        }
        LauncherDiscoveryRequest discovery = request.build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener printer = new TestExecutionListener() {
            private TestPlan plan;

            @Override
            public void testPlanExecutionStarted(TestPlan testPlan) {
                plan = testPlan;
            }

            private String name(TestIdentifier id) {
                Optional<TestIdentifier> parent = plan.getParent(id);
                return parent.map(p -> p.getDisplayName() + " ").orElse("") + id.getDisplayName();
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("SKIPPED    " + name(id) + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    System.out.println(String.format("%-10s %s%s", result.getStatus(), name(id),
                            result.getThrowable().map(t -> ": " + t).orElse("")));
                }
            }
        };
        LauncherFactory.create().execute(discovery, summary, printer);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printTo(out);
        s.printFailuresTo(out, 40);
        System.exit(s.getTotalFailureCount() == 0 && s.getTestsFoundCount() > 0 ? 0 : 1);
    }
}
JAVA
"$JAVA_HOME/bin/javac" --release 25 -d "$OUT/runner" -cp "$OUT/test-lib/*" "$OUT/runner/CudaTestRunner.java"

cat > "$OUT/run-cuda-tests.sh" <<'SH'
#!/bin/sh
# Runs the CUDA tests with the bundled Java: all of videollama.kernels.cuda, or the test classes named.
# Made by scripts/make-device-bundle.sh; run from anywhere (the repository is the folder above this one).
here="$(cd "$(dirname "$0")" && pwd)"
export VIDEOLLAMA_REQUIRE_CUDA="${VIDEOLLAMA_REQUIRE_CUDA:-1}"
exec "$here/java/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xss4m -Xmx24g \
  -Dvideollama.root="$(dirname "$here")" -Dvideollama.home="$(dirname "$here")" \
  -cp "$here/videollama.jar:$here/test-classes:$here/test-lib/*:$here/runner" CudaTestRunner "$@"
SH
chmod +x "$OUT/run-cuda-tests.sh"
echo "bundle: $(du -sh "$OUT" | cut -f1) in $OUT/ (runtime $(du -sh "$OUT/java" | cut -f1))" >&2
