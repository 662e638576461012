"""The textbook's apple-price example: forward gives the price, backward gives every gradient."""

from autograd import Variable


def main() -> None:
    apple = Variable(100.0, name="apple")
    apple_num = Variable(2.0, name="apple_num")
    tax = Variable(1.1, name="tax")

    price = apple * apple_num * tax
    price.name = "price"
    price.backward()

    print(f"price      {price.item():g}")
    print(f"d apple    {apple.grad.item():g}")
    print(f"d apple_num {apple_num.grad.item():g}")
    print(f"d tax      {tax.grad.item():g}")


if __name__ == "__main__":
    main()
