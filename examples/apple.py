"""The textbook's apple-price example: forward gives the price, backward gives every gradient.

    python -m examples.apple                      prints the price and the gradients
    python -m examples.apple --draw apple.svg     also draws the graph (.svg, .png or .pdf)
"""

import argparse

from autograd import Variable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", metavar="PATH", help="draw the graph with its gradients to PATH")
    args = parser.parse_args()

    apple = Variable(100.0, name="apple")
    apple_num = Variable(2.0, name="apple_num")
    tax = Variable(1.1, name="tax")

    price = apple * apple_num * tax
    price.name = "price"
    # retain_grad keeps the intermediate gradient (d price / d 200) for the drawing.
    price.backward(retain_grad=args.draw is not None)

    print(f"price      {price.item():g}")
    print(f"d apple    {apple.grad.item():g}")
    print(f"d apple_num {apple_num.grad.item():g}")
    print(f"d tax      {tax.grad.item():g}")
    if args.draw:
        from autograd.viz import draw

        print(f"drew {draw(price).render(args.draw)}")


if __name__ == "__main__":
    main()
