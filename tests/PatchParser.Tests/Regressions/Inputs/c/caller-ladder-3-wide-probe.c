static void a0(struct pci_dev *pdev)
{
	pci_add_dma_alias(pdev, 0, 1);
}
static void b0(struct pci_dev *pdev)
{
	pci_add_dma_alias(pdev, 0, 1);
}
static void c0(struct pci_dev *pdev)
{
	pci_add_dma_alias(pdev, 0, 1);
}
static void a1(struct pci_dev *pdev)
{
	a0(pdev);
	b0(pdev);
	c0(pdev);
}
static void b1(struct pci_dev *pdev)
{
	a0(pdev);
	b0(pdev);
	c0(pdev);
}
static void c1(struct pci_dev *pdev)
{
	a0(pdev);
	b0(pdev);
	c0(pdev);
}
static void a2(struct pci_dev *pdev)
{
	a1(pdev);
	b1(pdev);
	c1(pdev);
}
static void b2(struct pci_dev *pdev)
{
	a1(pdev);
	b1(pdev);
	c1(pdev);
}
static void c2(struct pci_dev *pdev)
{
	a1(pdev);
	b1(pdev);
	c1(pdev);
}
static void a3(struct pci_dev *pdev)
{
	a2(pdev);
	b2(pdev);
	c2(pdev);
}
static void b3(struct pci_dev *pdev)
{
	a2(pdev);
	b2(pdev);
	c2(pdev);
}
static void c3(struct pci_dev *pdev)
{
	a2(pdev);
	b2(pdev);
	c2(pdev);
}
static void a4(struct pci_dev *pdev)
{
	a3(pdev);
	b3(pdev);
	c3(pdev);
}
static void b4(struct pci_dev *pdev)
{
	a3(pdev);
	b3(pdev);
	c3(pdev);
}
static void c4(struct pci_dev *pdev)
{
	a3(pdev);
	b3(pdev);
	c3(pdev);
}
static void a5(struct pci_dev *pdev)
{
	a4(pdev);
	b4(pdev);
	c4(pdev);
}
static void b5(struct pci_dev *pdev)
{
	a4(pdev);
	b4(pdev);
	c4(pdev);
}
static void c5(struct pci_dev *pdev)
{
	a4(pdev);
	b4(pdev);
	c4(pdev);
}
static void a6(struct pci_dev *pdev)
{
	a5(pdev);
	b5(pdev);
	c5(pdev);
}
static void b6(struct pci_dev *pdev)
{
	a5(pdev);
	b5(pdev);
	c5(pdev);
}
static void c6(struct pci_dev *pdev)
{
	a5(pdev);
	b5(pdev);
	c5(pdev);
}
static void a7(struct pci_dev *pdev)
{
	a6(pdev);
	b6(pdev);
	c6(pdev);
}
static void b7(struct pci_dev *pdev)
{
	a6(pdev);
	b6(pdev);
	c6(pdev);
}
static void c7(struct pci_dev *pdev)
{
	a6(pdev);
	b6(pdev);
	c6(pdev);
}
static void a8(struct pci_dev *pdev)
{
	a7(pdev);
	b7(pdev);
	c7(pdev);
}
static void b8(struct pci_dev *pdev)
{
	a7(pdev);
	b7(pdev);
	c7(pdev);
}
static void c8(struct pci_dev *pdev)
{
	a7(pdev);
	b7(pdev);
	c7(pdev);
}
static void a9(struct pci_dev *pdev)
{
	a8(pdev);
	b8(pdev);
	c8(pdev);
}
static void b9(struct pci_dev *pdev)
{
	a8(pdev);
	b8(pdev);
	c8(pdev);
}
static void c9(struct pci_dev *pdev)
{
	a8(pdev);
	b8(pdev);
	c8(pdev);
}
static void a10(struct pci_dev *pdev)
{
	a9(pdev);
	b9(pdev);
	c9(pdev);
}
static void b10(struct pci_dev *pdev)
{
	a9(pdev);
	b9(pdev);
	c9(pdev);
}
static void c10(struct pci_dev *pdev)
{
	a9(pdev);
	b9(pdev);
	c9(pdev);
}
static void a11(struct pci_dev *pdev)
{
	a10(pdev);
	b10(pdev);
	c10(pdev);
}
static void b11(struct pci_dev *pdev)
{
	a10(pdev);
	b10(pdev);
	c10(pdev);
}
static void c11(struct pci_dev *pdev)
{
	a10(pdev);
	b10(pdev);
	c10(pdev);
}
static int x_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	a11(pdev);
	return 0;
}
