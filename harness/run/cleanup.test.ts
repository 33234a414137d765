import { describe, expect, it } from "vitest";
import { CleanupStack } from "./cleanup.ts";

describe("CleanupStack", () => {
  it("undoes last-in first-out", async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.defer("a", () => void order.push("a"));
    stack.defer("b", async () => void order.push("b"));
    stack.defer("c", () => void order.push("c"));
    await stack.run();
    expect(order).toEqual(["c", "b", "a"]);
    expect(stack.size).toBe(0);
  });

  it("runs every step even when one throws, then rethrows", async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.defer("a", () => void order.push("a"));
    stack.defer("b", () => {
      throw new Error("b broke");
    });
    stack.defer("c", () => void order.push("c"));
    await expect(stack.run()).rejects.toThrow("b broke");
    expect(order).toEqual(["c", "a"]);
  });

  it("runs once when called twice at the same time", async () => {
    let count = 0;
    const stack = new CleanupStack();
    stack.defer("x", async () => {
      count++;
      await new Promise((r) => setTimeout(r, 10));
    });
    await Promise.all([stack.run(), stack.run()]);
    expect(count).toBe(1);
  });

  it("forgets a step removed after an early undo", async () => {
    const stack = new CleanupStack();
    let ran = false;
    const forget = stack.defer("x", () => {
      ran = true;
    });
    forget();
    await stack.run();
    expect(ran).toBe(false);
  });
});
