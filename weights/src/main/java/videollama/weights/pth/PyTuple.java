package videollama.weights.pth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple from a pickle. Lists are {@code java.util.List}s and dicts {@code java.util.Map}s; a tuple is
 * kept apart because torch gives tuples and lists different meanings (a tensor's shape is a tuple).
 */
public record PyTuple(List<Object> items) {
    public PyTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    public int size() {
        return items.size();
    }

    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public String toString() {
        return "tuple of " + items.size();
    }
}
