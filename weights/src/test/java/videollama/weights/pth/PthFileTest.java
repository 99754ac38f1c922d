package videollama.weights.pth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;
import videollama.weights.TensorAssertions;
import videollama.weights.TensorSource;
import videollama.weights.WeightsException;

/**
 * Checkpoints written by {@code torch.save} (scripts/reference/make_pth_cases.py) against the same tensors
 * exported by the Python safetensors library.
 */
class PthFileTest {
    static final Path DIR = Path.of(System.getProperty("videollama.root", "../..")).resolve("testdata/pth/reader");

    /** Same names in the expected file, same dtype, shape and bytes. */
    static void assertSameTensors(Path expectedFile, TensorSource actual) {
        try (SafetensorsFile expected = SafetensorsFile.open(expectedFile)) {
            assertFalse(expected.names().isEmpty());
            TensorAssertions.assertEachTensorIn(expected, actual);
        }
    }

    @ParameterizedTest
    @CsvSource({"tensors.pth, tensors.safetensors", "zip64.pth, tensors.safetensors",
        "protocol4.pth, protocol4.safetensors"})
    void tensorsEqualTheSafetensorsExport(String pth, String safetensors) {
        try (PthStateDict tensors = PthFile.open(DIR.resolve(pth)).stateDict()) {
            assertSameTensors(DIR.resolve(safetensors), tensors);
        }
    }

    @Test
    void namesKeepTheDictOrder() {
        try (PthStateDict tensors = PthFile.open(DIR.resolve("tensors.pth")).stateDict()) {
            assertEquals(List.of("f32", "f16", "bf16", "i64", "i32", "u8", "scalar", "empty", "shared.base",
                    "shared.row", "shared.tail", "shared.column", "shared.transposed", "shared.block", "param",
                    "with_attr", "f64", "bool", "u16"), tensors.names());
        }
    }

    @Test
    void contiguousTensorsAreSlicesOfTheMappingAtTheirOffsets() {
        try (PthStateDict tensors = PthFile.open(DIR.resolve("tensors.pth")).stateDict()) {
            Tensor base = tensors.get("shared.base");
            Tensor row = tensors.get("shared.row");
            Tensor tail = tensors.get("shared.tail");
            assertTrue(base.data().isMapped() && row.data().isMapped() && tail.data().isMapped());
            assertEquals(4 * Float.BYTES, row.data().address() - base.data().address(), "row 1 of a 4x4 storage");
            assertEquals(5 * Float.BYTES, tail.data().address() - base.data().address());
            TorchTensor column = tensors.torchTensors().get("shared.column");
            assertFalse(column.isContiguous());
            assertEquals(2, column.storageOffset());
            assertArrayEquals(new long[] {4}, column.stride());
            Tensor transposed = tensors.get("shared.transposed");
            assertFalse(transposed.data().isMapped(), "a copy in row-major order");
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(base.getFloat(4L * i + j), transposed.getFloat(4L * j + i));
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"f64, torch.float64", "bool, torch.bool", "u16, torch.uint16"})
    void typesTheProjectDoesNotStoreAreClearErrors(String name, String type) {
        try (PthStateDict tensors = PthFile.open(DIR.resolve("tensors.pth")).stateDict()) {
            assertEquals(type, tensors.torchTensors().get(name).type().toString());
            WeightsException e = assertThrows(WeightsException.class, () -> tensors.get(name));
            assertMessage(e, DIR.resolve("tensors.pth"), "tensor '" + name + "'", type, "does not store");
        }
    }

    @Test
    void trainingCheckpointGivesItsModelAndKeepsTheRest() {
        Path file = DIR.resolve("checkpoint.pth");
        try (PthFile pth = PthFile.open(file)) {
            PthStateDict model = pth.stateDict("model"); // not closed here: that would close the file
            assertEquals(file + "[\"model\"]", model.describe());
            assertSameTensors(DIR.resolve("checkpoint-model.safetensors"), model);
            assertEquals(DType.I64, model.get("video_Qformer.bert.embeddings.position_ids").dtype());
            Map<?, ?> root = assertInstanceOf(Map.class, pth.root());
            assertEquals(List.of("model", "optimizer", "config", "scaler", "epoch"), List.copyOf(root.keySet()));
            assertEquals(3L, root.get("epoch"));
            assertNull(root.get("scaler"));
            Map<?, ?> config = assertInstanceOf(Map.class, root.get("config"));
            assertEquals(Map.of("lr", 1e-4, "name", "tiny", "amp", true), config.get("run"));
            Map<?, ?> modelConfig = assertInstanceOf(Map.class, config.get("model"));
            assertEquals(new PyTuple(List.of("visual_encoder", "Qformer")), modelConfig.get("frozen"));
            assertEquals(BigInteger.TWO.pow(70), config.get("big"));
            assertEquals(-5L, config.get("negative"));
            assertEquals(0.5, config.get("ratio"));
            assertTrue(config.containsKey("nothing") && config.get("nothing") == null);
            assertEquals(Set.of("a", "b"), assertInstanceOf(Set.class, config.get("tags")));
            assertArrayEquals(new byte[] {0, 1, -1}, (byte[]) config.get("blob"));
            // AdamW state: per parameter index, exp_avg and exp_avg_sq tensors and a step.
            Map<?, ?> optimizer = assertInstanceOf(Map.class, root.get("optimizer"));
            Map<?, ?> state = assertInstanceOf(Map.class, optimizer.get("state"));
            assertEquals(Set.of(0L, 1L, 2L), state.keySet());
            Map<?, ?> first = assertInstanceOf(Map.class, state.get(0L));
            TorchTensor expAvg = assertInstanceOf(TorchTensor.class, first.get("exp_avg"));
            assertArrayEquals(new long[] {1, 4, 8}, expAvg.shape());
            Tensor read = expAvg.toTensor("exp_avg");
            assertEquals(32, read.size());
        }
    }

    @Test
    void stateDictAtAMissingOrWrongKeyIsAnError() {
        Path file = DIR.resolve("checkpoint.pth");
        try (PthFile pth = PthFile.open(file)) {
            assertMessage(assertThrows(WeightsException.class, () -> pth.stateDict("state_dict")), file,
                    "[\"state_dict\"]");
            assertMessage(assertThrows(WeightsException.class, () -> pth.stateDict("epoch")), file,
                    "[\"epoch\"]", "int", "not a dict");
            assertMessage(assertThrows(WeightsException.class, () -> pth.stateDict("epoch", "x")), file,
                    "[\"epoch\"][\"x\"]");
        }
    }

    @Test
    void legacyFormatIsNamed() {
        Path file = DIR.resolve("legacy.pth");
        assertMessage(assertThrows(WeightsException.class, () -> PthFile.open(file)), file, "legacy format", "1.6");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tensors.safetensors"})
    void otherFilesAreNotCheckpoints(String name) {
        Path file = DIR.resolve(name);
        assertMessage(assertThrows(WeightsException.class, () -> PthFile.open(file)), file, "not a PyTorch checkpoint");
    }

    @Test
    void tensorsAreUnusableAfterClose() {
        PthFile pth = PthFile.open(DIR.resolve("tensors.pth"));
        PthStateDict tensors = pth.stateDict();
        Tensor f32 = tensors.get("f32");
        TorchTensor f16 = tensors.torchTensors().get("f16");
        pth.close();
        assertThrows(IllegalStateException.class, () -> f32.getFloat(0));
        assertThrows(IllegalStateException.class, () -> f16.toTensor("f16"));
    }

    static void assertMessage(WeightsException e, Path file, String... fragments) {
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.startsWith(file + ":") || message.startsWith(file + "["), message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing from: " + message);
        }
    }
}
